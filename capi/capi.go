// Package capi is the only cgo package of godot-webrtc-go: it resolves Godot's
// GDExtension interface functions, wraps each one a Go caller needs in a thin
// trampoline, and exports the callbacks Godot calls. It holds no WebRTC logic;
// package binding builds the Go API on top of it.
//
// Pointers passed in and out are Godot's (C memory). Go memory handed to these
// functions must not contain Go pointers and is never retained by Godot.
package capi

/*
#cgo CFLAGS: -I${SRCDIR}/../include -O2
#include "capi.h"
*/
import "C"

import (
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"
)

// Sizes of the built-in values this library stores, for 64-bit builds of Godot.
const (
	VariantSize    = C.GDW_VARIANT_SIZE
	StringSize     = C.GDW_STRING_SIZE
	StringNameSize = C.GDW_STRING_NAME_SIZE
)

// VariantType is Godot's Variant::Type.
type VariantType int32

// The variant types this library converts.
const (
	TypeNil                VariantType = C.GDEXTENSION_VARIANT_TYPE_NIL
	TypeBool               VariantType = C.GDEXTENSION_VARIANT_TYPE_BOOL
	TypeInt                VariantType = C.GDEXTENSION_VARIANT_TYPE_INT
	TypeFloat              VariantType = C.GDEXTENSION_VARIANT_TYPE_FLOAT
	TypeString             VariantType = C.GDEXTENSION_VARIANT_TYPE_STRING
	TypeStringName         VariantType = C.GDEXTENSION_VARIANT_TYPE_STRING_NAME
	TypeObject             VariantType = C.GDEXTENSION_VARIANT_TYPE_OBJECT
	TypeDictionary         VariantType = C.GDEXTENSION_VARIANT_TYPE_DICTIONARY
	TypeArray              VariantType = C.GDEXTENSION_VARIANT_TYPE_ARRAY
	TypePackedStringArray  VariantType = C.GDEXTENSION_VARIANT_TYPE_PACKED_STRING_ARRAY
	TypePackedVector2Array VariantType = C.GDEXTENSION_VARIANT_TYPE_PACKED_VECTOR2_ARRAY
)

// Call errors of a Variant method call (Godot's Callable::CallError).
const (
	CallOK               = C.GDEXTENSION_CALL_OK
	CallInvalidArgument  = C.GDEXTENSION_CALL_ERROR_INVALID_ARGUMENT
	CallTooManyArguments = C.GDEXTENSION_CALL_ERROR_TOO_MANY_ARGUMENTS
	CallTooFewArguments  = C.GDEXTENSION_CALL_ERROR_TOO_FEW_ARGUMENTS
)

// MaxMethodArgs is the most arguments a registered method takes.
const MaxMethodArgs = C.GDW_MAX_METHOD_ARGS

// Initialization levels.
const (
	LevelScene  = C.GDEXTENSION_INITIALIZATION_SCENE
	LevelEditor = C.GDEXTENSION_INITIALIZATION_EDITOR
)

// Hooks are the Go functions the exported callbacks forward to. Package binding
// sets them before Godot can call any of them.
type Hooks struct {
	Initialize   func(level int)
	Deinitialize func(level int)
	// CreateInstance makes an instance; postinitialize is whether Godot wants
	// it to have received NOTIFICATION_POSTINITIALIZE.
	CreateInstance func(classID uintptr, postinitialize bool) unsafe.Pointer
	FreeInstance   func(classID, instance uintptr)
	// GetVirtualCallData finds a virtual by name and, when hashed is true, by
	// the hash of its signature (Godot 4.3 asks by name only).
	GetVirtualCallData func(classID uintptr, name unsafe.Pointer, hash uint32, hashed bool) uintptr
	CallVirtual        func(instance, data uintptr, args, ret unsafe.Pointer)
	// CallMethod runs a registered method. For a Variant call, args points
	// to argc Variant pointers and ret to a Variant, and the result says
	// what was wrong with the arguments; for a pointer call (ptrcall true,
	// argc -1) args points to the method's typed arguments and ret to its
	// typed result.
	CallMethod func(methodID, instance uintptr, args unsafe.Pointer, argc int, ret unsafe.Pointer, ptrcall bool) CallError
}

var hooks Hooks

// SetHooks installs the callbacks' Go targets.
func SetHooks(h Hooks) { hooks = h }

// PrintError prints through Godot's error printer (the editor's Output panel and
// stderr). Before Godot's printers are loaded it writes to stderr.
func PrintError(description, message, function, file string, line int) {
	printMessage(false, description, message, function, file, line)
}

// PrintWarning prints through Godot's warning printer.
func PrintWarning(description, message, function, file string, line int) {
	printMessage(true, description, message, function, file, line)
}

func printMessage(warning bool, description, message, function, file string, line int) {
	if C.gdw_can_print() == 0 {
		kind := map[bool]string{false: "ERROR", true: "WARNING"}[warning]
		fmt.Fprintf(os.Stderr, "%s: %s: %s\n", kind, description, message)
		return
	}
	cd, cm, cf, cfile := C.CString(description), C.CString(message), C.CString(function), C.CString(file)
	if warning {
		C.gdw_print_warning(cd, cm, cf, cfile, C.int32_t(line))
	} else {
		C.gdw_print_error(cd, cm, cf, cfile, C.int32_t(line))
	}
	freeAll(cd, cm, cf, cfile)
}

func freeAll(ptrs ...*C.char) {
	for _, p := range ptrs {
		C.free(unsafe.Pointer(p))
	}
}

// Malloc allocates n bytes of C memory, for values Godot may keep.
func Malloc(n int) unsafe.Pointer { return C.malloc(C.size_t(n)) }

// Realloc resizes C memory from Malloc.
func Realloc(p unsafe.Pointer, n int) unsafe.Pointer { return C.realloc(p, C.size_t(n)) }

// Free releases C memory from Malloc.
func Free(p unsafe.Pointer) { C.free(p) }

// StringNew constructs a Godot String at dst from UTF-8 text.
func StringNew(dst unsafe.Pointer, s string) {
	C.gdw_string_new(dst, (*C.char)(unsafe.Pointer(unsafe.StringData(s))), C.GDExtensionInt(len(s)))
}

// StringToGo returns the UTF-8 text of the Godot String at src.
func StringToGo(src unsafe.Pointer) string {
	n := C.gdw_string_to_utf8(src, nil, 0)
	if n <= 0 {
		return ""
	}
	buf := make([]byte, int(n))
	C.gdw_string_to_utf8(src, (*C.char)(unsafe.Pointer(&buf[0])), n)
	return unsafe.String(&buf[0], len(buf))
}

// StringFromStringName constructs a Godot String at dst from the StringName at sn.
func StringFromStringName(dst, sn unsafe.Pointer) { C.gdw_string_from_string_name(dst, sn) }

// StringNameNew constructs a Godot StringName at dst.
func StringNameNew(dst unsafe.Pointer, s string) {
	C.gdw_string_name_new(dst, (*C.char)(unsafe.Pointer(unsafe.StringData(s))), C.GDExtensionInt(len(s)))
}

// Destroy runs the destructor of the built-in value of type t at p.
func Destroy(t VariantType, p unsafe.Pointer) { C.gdw_destroy(C.GDExtensionVariantType(t), p) }

// VariantFrom constructs a Variant at dst holding a copy of the typed value at src.
func VariantFrom(t VariantType, dst, src unsafe.Pointer) {
	C.gdw_variant_from(C.GDExtensionVariantType(t), dst, src)
}

// VariantTo constructs the typed value at dst from the Variant at src.
func VariantTo(t VariantType, dst, src unsafe.Pointer) {
	C.gdw_variant_to(C.GDExtensionVariantType(t), dst, src)
}

// VariantNil constructs a nil Variant at dst.
func VariantNil(dst unsafe.Pointer) { C.gdw_variant_nil(dst) }

// VariantCopy constructs at dst a copy of the Variant at src.
func VariantCopy(dst, src unsafe.Pointer) { C.gdw_variant_copy(dst, src) }

// VariantDestroy destroys the Variant at v.
func VariantDestroy(v unsafe.Pointer) { C.gdw_variant_destroy(v) }

// VariantGetType returns the type held by the Variant at v.
func VariantGetType(v unsafe.Pointer) VariantType { return VariantType(C.gdw_variant_type(v)) }

// VariantGet constructs at ret the value self[key]; false if there is none.
func VariantGet(self, key, ret unsafe.Pointer) bool { return C.gdw_variant_get(self, key, ret) != 0 }

// IterInit starts iterating the Variant self, with the iterator Variant at iter.
// more is false for an empty container; valid is false if self is not iterable.
func IterInit(self, iter unsafe.Pointer) (more, valid bool) {
	var v C.GDExtensionBool
	m := C.gdw_iter_init(self, iter, &v)
	return m != 0, v != 0
}

// IterNext advances the iterator; false at the end.
func IterNext(self, iter unsafe.Pointer) bool {
	var v C.GDExtensionBool
	return C.gdw_iter_next(self, iter, &v) != 0 && v != 0
}

// IterGet constructs at ret the element the iterator is at.
func IterGet(self, iter, ret unsafe.Pointer) bool {
	var v C.GDExtensionBool
	C.gdw_iter_get(self, iter, ret, &v)
	return v != 0
}

// MethodBind looks up a method of an engine class by name and hash.
func MethodBind(class, method unsafe.Pointer, hash int64) unsafe.Pointer {
	return unsafe.Pointer(C.gdw_method_bind(class, method, C.GDExtensionInt(hash)))
}

// CallError is the outcome of a Variant method call.
type CallError struct {
	Error    int32
	Argument int32
	Expected int32
}

// Call calls a method bind with argc Variants stored contiguously at args and
// constructs the result Variant at ret.
func Call(mb, obj, args unsafe.Pointer, argc int, ret unsafe.Pointer) CallError {
	var e C.GDExtensionCallError
	C.gdw_call(C.GDExtensionMethodBindPtr(mb), C.GDExtensionObjectPtr(obj), args, C.int(argc), ret, &e)
	return CallError{Error: int32(e.error), Argument: int32(e.argument), Expected: int32(e.expected)}
}

// Ptrcall1 calls a method bind with one pointer-call argument.
func Ptrcall1(mb, obj, arg0, ret unsafe.Pointer) {
	C.gdw_ptrcall1(C.GDExtensionMethodBindPtr(mb), C.GDExtensionObjectPtr(obj), arg0, ret)
}

// Ptrcall2 calls a method bind with two pointer-call arguments.
func Ptrcall2(mb, obj, arg0, arg1, ret unsafe.Pointer) {
	C.gdw_ptrcall2(C.GDExtensionMethodBindPtr(mb), C.GDExtensionObjectPtr(obj), arg0, arg1, ret)
}

// Construct creates an object of the named engine or extension class. Unless
// ConstructPostinitializes, the object has not received
// NOTIFICATION_POSTINITIALIZE yet.
func Construct(class unsafe.Pointer) unsafe.Pointer { return unsafe.Pointer(C.gdw_construct(class)) }

// ConstructPostinitializes reports whether Construct's objects have received
// NOTIFICATION_POSTINITIALIZE from Godot: Godot's classdb_construct_object,
// all Godot 4.3 has, sends it; classdb_construct_object2 (4.4+) leaves it to
// the extension, after it has attached its instance.
func ConstructPostinitializes() bool { return C.gdw.classdb_construct_object2 == nil }

// Instance is an extension instance as Godot holds it (C memory): the handle
// of its Go value and its slots (see CallData).
type Instance struct{ p *C.gdw_instance }

// Slots is how many slots an Instance has.
const Slots = C.GDW_SLOTS

// NewInstance allocates the instance of handle, its slots zero. Godot frees it
// after FreeInstance has run.
func NewInstance(handle uintptr) Instance {
	in := C.gdw_new_instance(C.uintptr_t(handle))
	if in == nil {
		panic("out of memory allocating an extension instance")
	}
	return Instance{in}
}

// Slot returns slot i, which C reads atomically: write it with atomic
// operations only, and never once the instance has been freed.
func (in Instance) Slot(i int) *atomic.Int64 {
	return (*atomic.Int64)(unsafe.Pointer(&in.p.slots[i]))
}

// How a virtual may answer in C, without calling Go (see CallData).
const (
	FastNone           = C.GDW_FAST_NONE             // always calls Go
	FastSlot           = C.GDW_FAST_SLOT             // returns the slot's value as an int
	FastSlotUnlessZero = C.GDW_FAST_SLOT_UNLESS_ZERO // returns the slot's value while it is not 0, else calls Go
	FastIdle           = C.GDW_FAST_IDLE             // returns OK while the slot is 0, else calls Go
	FastOK             = C.GDW_FAST_OK               // returns OK
)

// CallData is the call data of the virtual with Go implementation index
// (1-based), answered in C as fast says, from slot.
func CallData(index uintptr, fast, slot int) uintptr {
	return index | uintptr(fast)<<C.GDW_FAST_SHIFT | uintptr(slot)<<C.GDW_SLOT_SHIFT
}

// CallIndex is the Go implementation index of call data.
func CallIndex(data uintptr) uintptr { return data & C.GDW_INDEX_MASK }

// SetInstance attaches the extension instance to obj as class.
func SetInstance(obj, class unsafe.Pointer, in Instance) {
	C.gdw_set_instance(obj, class, in.p)
}

// RefSetObject stores obj in the Ref at ref, taking a reference.
func RefSetObject(ref, obj unsafe.Pointer) { C.gdw_ref_set_object(ref, obj) }

// RegisterClass registers an exposed extension class whose callbacks carry classID.
func RegisterClass(name, parent unsafe.Pointer, classID uintptr) {
	C.gdw_register_class(C.GDExtensionConstStringNamePtr(name), C.GDExtensionConstStringNamePtr(parent), C.uintptr_t(classID))
}

// UnregisterClass removes a class registered by RegisterClass.
func UnregisterClass(name unsafe.Pointer) { C.gdw_unregister_class(name) }

// ConstructDefault constructs the default (empty) value of type t at dst.
func ConstructDefault(t VariantType, dst unsafe.Pointer) {
	C.gdw_construct_default(C.GDExtensionVariantType(t), dst)
}

// VariantSet sets self[key] = value on the Variant self; false if invalid.
func VariantSet(self, key, value unsafe.Pointer) bool {
	return C.gdw_variant_set(self, key, value) != 0
}

// VariantCall1 calls method (a StringName) on the Variant self with one
// argument, constructing the result Variant at ret; it returns the call error.
func VariantCall1(self, method, arg, ret unsafe.Pointer) int {
	return int(C.gdw_variant_call1(self, method, arg, ret))
}

// VariantCall0 calls method (a StringName) on the Variant self without
// arguments, constructing the result Variant at ret; it returns the call
// error.
func VariantCall0(self, method, ret unsafe.Pointer) int {
	return int(C.gdw_variant_call0(self, method, ret))
}

// GlobalSingleton returns the engine singleton named name (a StringName),
// such as AudioServer; nil if there is none.
func GlobalSingleton(name unsafe.Pointer) unsafe.Pointer { return C.gdw_global_singleton(name) }

// PackedVector2ArrayData returns the address of element 0 of the
// PackedVector2Array at p, which must not be empty, for writing: Godot
// copies the array first if it shares its memory with another.
func PackedVector2ArrayData(p unsafe.Pointer) unsafe.Pointer { return C.gdw_packed_vector2_index(p, 0) }

// PackedVector2ArrayConstData returns the address of element 0 of the
// PackedVector2Array at p, which must not be empty, for reading.
func PackedVector2ArrayConstData(p unsafe.Pointer) unsafe.Pointer {
	return unsafe.Pointer(C.gdw_packed_vector2_index_const(p, 0))
}

// Prop describes a method's argument or result, or a signal's argument:
// Name and Class are StringName pointers (Class names the class of an
// Object, or with IsEnum the enum an int holds; else it is empty).
type Prop struct {
	Type   VariantType
	Name   unsafe.Pointer
	Class  unsafe.Pointer
	IsEnum bool
}

// props returns ps as a C array (C memory, freed by the caller).
func props(ps []Prop) *C.gdw_prop {
	if len(ps) == 0 {
		return nil
	}
	arr := (*C.gdw_prop)(C.malloc(C.size_t(len(ps)) * C.size_t(unsafe.Sizeof(C.gdw_prop{}))))
	for i, p := range ps {
		*(*C.gdw_prop)(unsafe.Add(unsafe.Pointer(arr), uintptr(i)*unsafe.Sizeof(C.gdw_prop{}))) = cProp(p)
	}
	return arr
}

func cProp(p Prop) C.gdw_prop {
	var enum C.int
	if p.IsEnum {
		enum = 1
	}
	return C.gdw_prop{_type: C.GDExtensionVariantType(p.Type), name: p.Name, class_name: p.Class, is_enum: enum}
}

// RegisterMethod registers a method taking args (at most MaxMethodArgs), the
// last len(defaults) of which have those default values (Variants, copied by
// Godot), and returning ret if hasRet.
func RegisterMethod(class, name unsafe.Pointer, methodID uintptr, hasRet bool, ret Prop, args []Prop, defaults []unsafe.Pointer, emptyString unsafe.Pointer) {
	cargs := props(args)
	defer C.free(unsafe.Pointer(cargs))
	var cdefaults *unsafe.Pointer
	if len(defaults) > 0 {
		cdefaults = (*unsafe.Pointer)(C.malloc(C.size_t(len(defaults)) * C.size_t(unsafe.Sizeof(unsafe.Pointer(nil)))))
		defer C.free(unsafe.Pointer(cdefaults))
		copy(unsafe.Slice(cdefaults, len(defaults)), defaults)
	}
	var has C.int
	if hasRet {
		has = 1
	}
	C.gdw_register_method(class, name, C.uintptr_t(methodID), has, cProp(ret), C.int(len(args)), cargs,
		C.int(len(defaults)), cdefaults, emptyString)
}

// RegisterSignal registers a signal whose arguments args describe.
func RegisterSignal(class, name unsafe.Pointer, args []Prop, emptyString unsafe.Pointer) {
	cargs := props(args)
	defer C.free(unsafe.Pointer(cargs))
	C.gdw_register_signal(class, name, C.int(len(args)), cargs, emptyString)
}

// EditorHelpLoadXML hands one class reference XML document (Godot's doc_classes
// format) to the editor's help. Godot copies it before returning. It reports
// false when this Godot has no editor help (an export template, or before 4.3).
func EditorHelpLoadXML(xml []byte) bool {
	if len(xml) == 0 {
		return true
	}
	return C.gdw_editor_help_load_xml((*C.char)(unsafe.Pointer(&xml[0])), C.GDExtensionInt(len(xml))) != 0
}
