package binding

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/godot-webrtc-go/godot-webrtc-go/capi"
)

// Object is a pointer to a Godot object.
type Object struct{ ptr unsafe.Pointer }

// IsNil reports whether o points to no object.
func (o Object) IsNil() bool { return o.ptr == nil }

// RetKind is the return type of a virtual method, used to write a failure
// result when a Go implementation panics.
type RetKind int

// Return kinds of virtual methods.
const (
	RetNone   RetKind = iota
	RetError          // Godot's Error enum, written as int64
	RetInt            // int or enum, written as int64
	RetBool           // bool, one byte
	RetString         // String
	RetObject         // a Ref to a RefCounted object
)

// errFailed is Godot's Error FAILED, returned by a virtual that panicked.
const errFailed = 1

// VirtualID names one virtual method of an engine class: Godot asks for it by
// name and by the hash of its signature (generated from extension_api.json).
type VirtualID struct {
	Name string
	Hash uint32
	Ret  RetKind
}

// Virtual implements a virtual method for instances of type T.
type Virtual[T any] struct {
	VirtualID
	Call func(self T, args Args, ret Ret)
	Fast Fast // how it may answer without calling Call
}

// Fast is how a virtual may answer in C, from the instance's slots, without
// entering Go: Godot calls some virtuals for every connection and channel
// every frame (WebRTCMultiplayerPeer asks every channel of every peer for its
// packet count once per packet it reads), and entering Go costs far more than
// reading a number. The Go implementation must give the same answer.
type Fast struct{ kind, slot int }

// Ways a virtual may answer in C.
var (
	// AlwaysOK returns OK (for a virtual that has nothing to do).
	AlwaysOK = Fast{kind: capi.FastOK}
)

// FromSlot returns the value of slot i as an int.
func FromSlot(i int) Fast { return Fast{kind: capi.FastSlot, slot: checkSlot(i)} }

// FromSlotUnlessZero returns the value of slot i as an int while it is not
// zero; otherwise the Go implementation runs.
func FromSlotUnlessZero(i int) Fast { return Fast{kind: capi.FastSlotUnlessZero, slot: checkSlot(i)} }

// IdleWhileZero returns OK while slot i is zero; otherwise the Go
// implementation runs.
func IdleWhileZero(i int) Fast { return Fast{kind: capi.FastIdle, slot: checkSlot(i)} }

func checkSlot(i int) int {
	if i < 0 || i >= capi.Slots {
		panic(fmt.Sprintf("slot %d: an instance has %d", i, capi.Slots))
	}
	return i
}

// Slots are an instance's slots, which its Go value keeps up to date for the
// virtuals that answer from them (see Fast). Write them with atomic
// operations only, and not after the value's Free has returned.
type Slots struct{ in capi.Instance }

// Int returns slot i.
func (s Slots) Int(i int) *atomic.Int64 { return s.in.Slot(checkSlot(i)) }

// ClassSpec describes an extension class whose instances are Go values of type T.
type ClassSpec[T any] struct {
	Name     string                           // the class name scripts see
	Parent   string                           // the engine class it extends
	New      func(self Object, slots Slots) T // self is the Godot object the value belongs to
	Free     func(T)
	Virtuals []Virtual[T]
	Methods  []Method[T] // methods of the class's own, beyond the parent's
	Signals  []Signal    // signals of the class's own
}

// Class is a registered extension class.
type Class[T any] struct{ c *class }

type class struct {
	id       uintptr
	goName   string
	name     StringName
	parent   StringName
	newValue func(self Object, slots Slots) any
	free     func(any)
	virtuals []virtual
}

type virtual struct {
	goName string
	name   StringName
	hash   uint32
	ret    RetKind
	fast   Fast
	call   func(self any, args Args, ret Ret)
}

type instance struct {
	class *class
	value any
	obj   Object
}

var (
	classesMu sync.Mutex
	classes   []*class

	instances  sync.Map // handle (uintptr) -> *instance
	nextHandle atomic.Uintptr
)

// How Godot and the library met, reported when acting as an older Godot
// (capi.ActAsEnv): the tests read it to see which path was taken.
var (
	lookupsByName      atomic.Int64 // virtuals Godot asked for by name only (4.3)
	lookupsByHash      atomic.Int64 // by name and hash (4.4+)
	postinitializeSent atomic.Int64 // objects sent NOTIFICATION_POSTINITIALIZE by this library
)

// Register registers spec as an exposed extension class. Call it during
// initialisation (an OnInitialize function), parents before children.
func Register[T any](spec ClassSpec[T]) *Class[T] {
	classesMu.Lock()
	defer classesMu.Unlock()
	c := &class{
		id:       uintptr(len(classes) + 1),
		goName:   spec.Name,
		name:     Name(spec.Name),
		parent:   Name(spec.Parent),
		newValue: func(self Object, slots Slots) any { return spec.New(self, slots) },
		free:     func(v any) { spec.Free(v.(T)) },
	}
	for _, v := range spec.Virtuals {
		call := v.Call
		c.virtuals = append(c.virtuals, virtual{
			goName: spec.Name + "." + v.Name, name: Name(v.Name), hash: v.Hash, ret: v.Ret, fast: v.Fast,
			call: func(self any, args Args, ret Ret) { call(self.(T), args, ret) },
		})
	}
	classes = append(classes, c)
	capi.RegisterClass(c.name.ptr, c.parent.ptr, c.id)
	for _, m := range spec.Methods {
		call := m.Call
		registerMethod(c, m.spec(), func(self any, args MethodArgs) any { return call(self.(T), args) })
	}
	for _, sig := range spec.Signals {
		registerSignal(c, sig)
	}
	return &Class[T]{c}
}

// NewObject creates a Godot object of this class around the value newValue
// returns, as if Godot had constructed it. Godot owns the object (a new
// RefCounted holds no reference until one is taken); the value is freed with it.
func (c *Class[T]) NewObject(newValue func(self Object, slots Slots) T) Object {
	return c.c.newObject(func(self Object, slots Slots) any { return newValue(self, slots) }, true)
}

// newObject constructs the engine parent, attaches a new instance and, if
// postinitialize and Godot did not, sends NOTIFICATION_POSTINITIALIZE, as
// Godot does for its own classes once they are complete.
func (c *class) newObject(newValue func(self Object, slots Slots) any, postinitialize bool) Object {
	obj := Object{capi.Construct(c.parent.ptr)}
	if obj.IsNil() {
		panic(fmt.Sprintf("Godot could not construct the parent of %s", c.goName))
	}
	h := nextHandle.Add(1)
	in := capi.NewInstance(h)
	instances.Store(h, &instance{class: c, value: newValue(obj, Slots{in}), obj: obj})
	capi.SetInstance(obj.ptr, c.name.ptr, in)
	if postinitialize && !capi.ConstructPostinitializes() {
		obj.notify(notificationPostinitialize)
		postinitializeSent.Add(1)
	}
	return obj
}

func unregisterClasses() {
	classesMu.Lock()
	defer classesMu.Unlock()
	unregisterMethods()
	for i := len(classes) - 1; i >= 0; i-- {
		capi.UnregisterClass(classes[i].name.ptr)
	}
	classes = nil
}

func classByID(id uintptr) *class {
	classesMu.Lock()
	defer classesMu.Unlock()
	if id == 0 || id > uintptr(len(classes)) {
		return nil
	}
	return classes[id-1]
}

func createInstance(classID uintptr, postinitialize bool) unsafe.Pointer {
	c := classByID(classID)
	if c == nil {
		return nil
	}
	var obj Object
	func() {
		defer recoverTo("create " + c.goName)
		obj = c.newObject(c.newValue, postinitialize)
	}()
	return obj.ptr
}

func freeInstance(_, handle uintptr) {
	v, ok := instances.LoadAndDelete(handle)
	if !ok {
		return
	}
	inst := v.(*instance)
	defer recoverTo("free")
	inst.class.free(inst.value)
}

// virtualCallData finds the virtual Godot asks for. Godot 4.4+ gives the
// hash of the signature it expects (hashed); Godot 4.3 gives the name only,
// which is enough since a class's virtuals have distinct names.
func virtualCallData(classID uintptr, name unsafe.Pointer, hash uint32, hashed bool) uintptr {
	if hashed {
		lookupsByHash.Add(1)
	} else {
		lookupsByName.Add(1)
	}
	c := classByID(classID)
	if c == nil {
		return 0
	}
	for i, v := range c.virtuals {
		if (!hashed || v.hash == hash) && v.name.Is(name) {
			return capi.CallData(uintptr(i+1), v.fast.kind, v.fast.slot)
		}
	}
	return 0
}

func callVirtual(handle, data uintptr, args, retPtr unsafe.Pointer) {
	v, ok := instances.Load(handle)
	if !ok {
		return
	}
	inst := v.(*instance)
	index := capi.CallIndex(data)
	if index == 0 || index > uintptr(len(inst.class.virtuals)) {
		return
	}
	vm := &inst.class.virtuals[index-1]
	ret := Ret{retPtr}
	defer recoverVirtual(vm, ret)
	vm.call(inst.value, Args{args}, ret)
}

// recoverVirtual recovers a panic in a virtual method: printed with its stack,
// and the method returns FAILED (or zero) instead of aborting the game.
func recoverVirtual(vm *virtual, ret Ret) {
	if r := recover(); r != nil {
		reportPanic(vm.goName, r)
		ret.fail(vm.ret)
	}
}
