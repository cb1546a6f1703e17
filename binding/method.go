package binding

import (
	"fmt"
	"unsafe"

	"github.com/godot-webrtc-go/godot-webrtc-go/capi"
)

// Method is a method of the class's own that scripts call on instances of
// type T. Call gets the arguments, checked and converted (see MethodArgs),
// and returns the result: a Go value newVariant converts, an Object, a
// Vector2Frames, or nil for null (or when Ret is TypeNil, nothing).
type Method[T any] struct {
	Name string
	Args []Arg
	Ret  VariantType // TypeNil: no result
	// RetClass names the class of an Object result, or the enum an int
	// result holds (as "Error"); empty otherwise.
	RetClass string
	Call     func(self T, args MethodArgs) any
}

// Arg is one argument of a Method.
type Arg struct {
	Name string
	// Type is TypeInt (an int or a float, truncated, is accepted),
	// TypeDictionary or TypePackedVector2Array.
	Type VariantType
	// Default, if not nil, is the value (a Go value newVariant converts) used
	// when the caller leaves the argument out; only trailing arguments have
	// one.
	Default any
}

// Signal is a signal of the class; Args name its arguments and their types.
type Signal struct {
	Name string
	Args []SignalArg
}

// SignalArg is one argument of a Signal; Class names the class of an Object.
type SignalArg struct {
	Name  string
	Type  VariantType
	Class string
}

// methodSpec is a Method without its type parameter.
type methodSpec struct {
	name     string
	args     []Arg
	ret      VariantType
	retClass string
}

func (m Method[T]) spec() methodSpec {
	return methodSpec{name: m.Name, args: m.Args, ret: m.Ret, retClass: m.RetClass}
}

type method struct {
	goName   string
	args     []Arg
	defaults []unsafe.Pointer // Variants in C memory, one per trailing argument with a default
	ret      VariantType
	retError bool // the result is an Error: FAILED if the method panics
	call     func(self any, args MethodArgs) any
}

// required is how many arguments a caller must pass.
func (m *method) required() int { return len(m.args) - len(m.defaults) }

var (
	methods     []*method      // method id - 1 -> method (guarded by classesMu)
	emptyString unsafe.Pointer // an empty Godot String in C memory, for property infos
)

func emptyGodotString() unsafe.Pointer {
	if emptyString == nil {
		emptyString = capi.Malloc(capi.StringSize)
		capi.StringNew(emptyString, "")
	}
	return emptyString
}

// registerMethod registers spec on c; classesMu is held. A spec the binding
// cannot serve is a programming error: it panics.
func registerMethod(c *class, spec methodSpec, call func(self any, args MethodArgs) any) {
	if len(spec.args) > capi.MaxMethodArgs {
		panic(fmt.Sprintf("%s.%s: more than %d arguments", c.goName, spec.name, capi.MaxMethodArgs))
	}
	m := &method{goName: c.goName + "." + spec.name, args: spec.args, ret: spec.ret, call: call,
		retError: spec.ret == TypeInt && spec.retClass == "Error"}
	args := make([]capi.Prop, len(spec.args))
	for i, a := range spec.args {
		switch a.Type {
		case TypeInt, TypeDictionary, TypePackedVector2Array:
		default:
			panic(fmt.Sprintf("%s: argument %s is a %s, which MethodArgs cannot read", m.goName, a.Name, TypeName(int(a.Type))))
		}
		args[i] = capi.Prop{Type: a.Type, Name: Name(a.Name).ptr, Class: Name("").ptr}
		if a.Default == nil {
			if len(m.defaults) > 0 {
				panic(fmt.Sprintf("%s: argument %s without a default follows one with a default", m.goName, a.Name))
			}
			continue
		}
		v := capi.Malloc(capi.VariantSize)
		if err := newVariant(v, a.Default); err != nil {
			panic(fmt.Sprintf("%s: default of %s: %v", m.goName, a.Name, err))
		}
		m.defaults = append(m.defaults, v)
	}
	ret := capi.Prop{Type: spec.ret, Name: Name("").ptr, Class: Name(spec.retClass).ptr,
		IsEnum: spec.ret == TypeInt && spec.retClass != ""}
	methods = append(methods, m)
	capi.RegisterMethod(c.name.ptr, Name(spec.name).ptr, uintptr(len(methods)), spec.ret != TypeNil, ret, args, m.defaults, emptyGodotString())
}

func registerSignal(c *class, sig Signal) {
	args := make([]capi.Prop, len(sig.Args))
	for i, a := range sig.Args {
		args[i] = capi.Prop{Type: a.Type, Name: Name(a.Name).ptr, Class: Name(a.Class).ptr}
	}
	capi.RegisterSignal(c.name.ptr, Name(sig.Name).ptr, args, emptyGodotString())
}

// unregisterMethods frees what the methods keep; classesMu is held.
func unregisterMethods() {
	for _, m := range methods {
		for _, v := range m.defaults {
			capi.VariantDestroy(v)
			capi.Free(v)
		}
	}
	methods = nil
	if emptyString != nil {
		capi.Destroy(capi.TypeString, emptyString)
		capi.Free(emptyString)
		emptyString = nil
	}
}

// MethodArgs are the arguments of a method call, each in its declared type
// whatever way Godot called (a Variant call or a pointer call). They are
// Godot's, borrowed for the call.
type MethodArgs struct {
	values [capi.MaxMethodArgs]unsafe.Pointer // each argument's typed value
}

// Int returns argument i, declared TypeInt.
func (a MethodArgs) Int(i int) int64 { return *(*int64)(a.values[i]) }

// Dictionary returns argument i, declared TypeDictionary, converted to Go.
func (a MethodArgs) Dictionary(i int) (map[string]any, error) { return DictionaryToGo(a.values[i]) }

// Vector2s returns argument i, declared TypePackedVector2Array, as its
// Vector2s' x and y interleaved: Godot's memory, read in place, valid only
// during the call. Copy what must outlive it.
func (a MethodArgs) Vector2s(i int) []float32 { return packedVector2Slice(a.values[i]) }

// argStorage holds arguments converted from Variants: room for any type
// MethodArgs reads, with no Go pointers inside.
type argStorage [capi.MaxMethodArgs][2]uint64

// callMethod runs a registered method. A Variant call (args: argc Variant
// pointers) checks the arguments' count and types first and reports what is
// wrong; a pointer call's arguments are typed by Godot. The result goes to
// ret: a Variant for a Variant call, the typed value for a pointer call; in
// both cases Godot provides an initialised value, which is replaced.
func callMethod(methodID, handle uintptr, args unsafe.Pointer, argc int, ret unsafe.Pointer, ptrcall bool) capi.CallError {
	classesMu.Lock()
	if methodID == 0 || methodID > uintptr(len(methods)) {
		classesMu.Unlock()
		return capi.CallError{}
	}
	m := methods[methodID-1]
	classesMu.Unlock()
	v, ok := instances.Load(handle)
	if !ok {
		return capi.CallError{}
	}
	var ma MethodArgs
	var store argStorage
	if ptrcall {
		for i := range m.args {
			ma.values[i] = pointerAt(args, i)
		}
	} else {
		if ce := m.convertArgs(args, argc, &ma, &store); ce.Error != capi.CallOK {
			return ce
		}
		defer m.destroyArgs(&ma)
	}
	result := any(nil)
	if m.retError {
		result = int64(errFailed) // unless the call returns
	}
	func() {
		defer recoverTo(m.goName)
		result = m.call(v.(*instance).value, ma)
	}()
	if m.ret == TypeNil {
		return capi.CallError{}
	}
	if err := writeResult(m.ret, result, ret, ptrcall); err != nil {
		PrintError(fmt.Errorf("%s: %w", m.goName, err))
	}
	return capi.CallError{}
}

// pointerAt returns element i of a C array of pointers.
func pointerAt(array unsafe.Pointer, i int) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Add(array, uintptr(i)*unsafe.Sizeof(uintptr(0))))
}

// convertArgs checks the argc Variants at args against m's arguments and
// converts them (and the defaults of those left out) into store, as Godot's
// own methods do: a wrong count or type is a call error, which Godot
// reports, naming the method, the argument and the type expected.
func (m *method) convertArgs(args unsafe.Pointer, argc int, ma *MethodArgs, store *argStorage) capi.CallError {
	switch {
	case argc > len(m.args):
		return capi.CallError{Error: capi.CallTooManyArguments, Expected: int32(len(m.args))}
	case argc < m.required():
		return capi.CallError{Error: capi.CallTooFewArguments, Expected: int32(m.required())}
	}
	for i, a := range m.args {
		var src unsafe.Pointer
		if i < argc {
			src = pointerAt(args, i)
		} else {
			src = m.defaults[i-m.required()]
		}
		dst := unsafe.Pointer(&store[i])
		got := capi.VariantGetType(src)
		switch {
		case got == a.Type:
			capi.VariantTo(a.Type, dst, src)
		case a.Type == TypeInt && got == capi.TypeFloat:
			var f float64
			capi.VariantTo(capi.TypeFloat, unsafe.Pointer(&f), src)
			*(*int64)(dst) = int64(f)
		default:
			for j := range i {
				capi.Destroy(m.args[j].Type, ma.values[j])
			}
			return capi.CallError{Error: capi.CallInvalidArgument, Argument: int32(i), Expected: int32(a.Type)}
		}
		ma.values[i] = dst
	}
	return capi.CallError{}
}

// destroyArgs destroys the arguments convertArgs made.
func (m *method) destroyArgs(ma *MethodArgs) {
	for i, a := range m.args {
		capi.Destroy(a.Type, ma.values[i])
	}
}

// writeResult writes a method's result of type t to ret.
func writeResult(t VariantType, result any, ret unsafe.Pointer, ptrcall bool) error {
	switch r := result.(type) {
	case Vector2Frames:
		if ptrcall {
			writePackedVector2(ret, r)
			return nil
		}
		var a packedArray
		capi.ConstructDefault(TypePackedVector2Array, unsafe.Pointer(&a))
		writePackedVector2(unsafe.Pointer(&a), r)
		capi.VariantDestroy(ret)
		capi.VariantFrom(TypePackedVector2Array, ret, unsafe.Pointer(&a))
		capi.Destroy(TypePackedVector2Array, unsafe.Pointer(&a))
		return nil
	case Object:
		if ptrcall {
			// Godot passes the Ref that receives a RefCounted result.
			Ret{ret}.SetObject(r)
			return nil
		}
	case nil:
		if ptrcall {
			return nil // Godot's initial value: null, empty or zero
		}
	}
	var out variant
	err := newVariant(unsafe.Pointer(&out), result)
	defer capi.VariantDestroy(unsafe.Pointer(&out))
	if !ptrcall {
		capi.VariantDestroy(ret)
		capi.VariantCopy(ret, unsafe.Pointer(&out))
		return err
	}
	if got := capi.VariantGetType(unsafe.Pointer(&out)); got != t {
		return fmt.Errorf("result is a %s, not the %s declared", TypeName(int(got)), TypeName(int(t)))
	}
	capi.Destroy(t, ret)
	capi.VariantTo(t, ret, unsafe.Pointer(&out))
	return err
}
