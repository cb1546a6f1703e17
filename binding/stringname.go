package binding

import (
	"sync"
	"unsafe"

	"github.com/godot-webrtc-go/godot-webrtc-go/capi"
)

// StringName is a Godot StringName kept in C memory for the life of the
// extension (Godot may hold on to the pointer). Get one with Name.
type StringName struct{ ptr unsafe.Pointer }

// Is reports whether the StringName at p is this one. StringNames are interned,
// so equal names share their internal pointer.
func (s StringName) Is(p unsafe.Pointer) bool {
	return p != nil && *(*uintptr)(p) == *(*uintptr)(s.ptr)
}

var (
	namesMu sync.Mutex
	names   = map[string]StringName{}
)

// Name returns the StringName for s, creating it on first use. Names live until
// the extension is deinitialised.
func Name(s string) StringName {
	namesMu.Lock()
	defer namesMu.Unlock()
	if n, ok := names[s]; ok {
		return n
	}
	n := StringName{capi.Malloc(capi.StringNameSize)}
	capi.StringNameNew(n.ptr, s)
	names[s] = n
	return n
}

func freeStringNames() {
	namesMu.Lock()
	defer namesMu.Unlock()
	for k, n := range names {
		capi.Destroy(capi.TypeStringName, n.ptr)
		capi.Free(n.ptr)
		delete(names, k)
	}
}

// stringNameToGo returns the text of the StringName at p.
func stringNameToGo(p unsafe.Pointer) string {
	var s godotString
	capi.StringFromStringName(unsafe.Pointer(&s), p)
	out := capi.StringToGo(unsafe.Pointer(&s))
	capi.Destroy(capi.TypeString, unsafe.Pointer(&s))
	return out
}
