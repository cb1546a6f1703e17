package binding

import (
	"fmt"
	"unsafe"

	"github.com/godot-webrtc-go/godot-webrtc-go/capi"
)

// MethodBind is an engine method bind, looked up once by class, name and hash.
type MethodBind struct {
	ptr  unsafe.Pointer
	name string
}

// LookupMethod finds a method of an engine class. The hash comes from
// extension_api.json and identifies the signature.
func LookupMethod(class, method string, hash int64) (MethodBind, error) {
	p := capi.MethodBind(Name(class).ptr, Name(method).ptr, hash)
	if p == nil {
		return MethodBind{}, fmt.Errorf("no method %s.%s with hash %d in this Godot", class, method, hash)
	}
	return MethodBind{ptr: p, name: class + "." + method}, nil
}

// CallStatic calls a static method taking one StringName argument.
func (m MethodBind) CallStatic(arg StringName) {
	capi.Ptrcall1(m.ptr, nil, arg.ptr, nil)
}

// Engine methods resolved at initialisation.
var (
	emitSignal   MethodBind // Object.emit_signal
	notification MethodBind // Object.notification
)

func lookupEngineMethods() (err error) {
	if emitSignal, err = LookupMethod("Object", "emit_signal", hashObjectEmitSignal); err != nil {
		return err
	}
	notification, err = LookupMethod("Object", "notification", hashObjectNotification)
	return err
}

// notificationPostinitialize is Object's NOTIFICATION_POSTINITIALIZE.
const notificationPostinitialize = 0

// notify sends notification what to o (Object.notification(what, false)).
func (o Object) notify(what int64) {
	reversed := uint8(0)
	capi.Ptrcall2(notification.ptr, o.ptr, unsafe.Pointer(&what), unsafe.Pointer(&reversed), nil)
}

// maxSignalArgs is how many arguments EmitSignal passes (capi's limit is 8
// Variants, one of which is the signal name).
const maxSignalArgs = 7

// EmitSignal emits signal on o with args (see newVariant for the Go types).
// Call it only on the thread that owns o (for WebRTC: inside poll).
func (o Object) EmitSignal(signal StringName, args ...any) error {
	if emitSignal.ptr == nil {
		return fmt.Errorf("emit_signal: Object.emit_signal was not found at initialisation")
	}
	if len(args) > maxSignalArgs {
		return fmt.Errorf("too many signal arguments: %d", len(args))
	}
	var vs [maxSignalArgs + 1]variant
	n := len(args) + 1
	_ = newVariant(unsafe.Pointer(&vs[0]), signal)
	var err error
	for i, a := range args {
		if e := newVariant(unsafe.Pointer(&vs[i+1]), a); e != nil && err == nil {
			err = e
		}
	}
	var ret variant
	if err == nil {
		ce := capi.Call(emitSignal.ptr, o.ptr, unsafe.Pointer(&vs[0]), n, unsafe.Pointer(&ret))
		if ce.Error != 0 {
			err = fmt.Errorf("emit_signal(%s) failed with call error %d (argument %d)", stringNameToGo(signal.ptr), ce.Error, ce.Argument)
		}
		capi.VariantDestroy(unsafe.Pointer(&ret))
	}
	for i := 0; i < n; i++ {
		capi.VariantDestroy(unsafe.Pointer(&vs[i]))
	}
	return err
}

// Singleton returns the engine singleton named name, such as "AudioServer".
func Singleton(name string) (Object, error) {
	o := Object{capi.GlobalSingleton(Name(name).ptr)}
	if o.IsNil() {
		return o, fmt.Errorf("Godot has no singleton %s", name)
	}
	return o, nil
}

// Call calls the method named method on o without arguments, by name (no
// hash is needed: Godot looks the method up as scripts do), and returns its
// result converted as DictionaryToGo converts values.
func (o Object) Call(method string) (any, error) {
	var self, ret variant
	p := o.ptr
	capi.VariantFrom(capi.TypeObject, unsafe.Pointer(&self), unsafe.Pointer(&p))
	defer capi.VariantDestroy(unsafe.Pointer(&self))
	ce := capi.VariantCall0(unsafe.Pointer(&self), Name(method).ptr, unsafe.Pointer(&ret))
	defer capi.VariantDestroy(unsafe.Pointer(&ret))
	if ce != capi.CallOK {
		return nil, fmt.Errorf("%s() failed with call error %d", method, ce)
	}
	return variantToGo(unsafe.Pointer(&ret), 0)
}
