package capi

/*
#include "capi.h"
*/
import "C"

import (
	"fmt"
	"runtime/debug"
	"unsafe"
)

// Callbacks that Godot calls. Each recovers any panic so that it never unwinds
// into Godot (which would abort the game); binding recovers first where it can
// return a meaningful error, this is the last line.

func recoverCallback(name string) {
	if r := recover(); r != nil {
		PrintError(fmt.Sprintf("godot-webrtc-go: panic in %s: %v", name, r), string(debug.Stack()), name, "capi/exports.go", 0)
	}
}

//export webrtc_go_init
func webrtc_go_init(getProcAddress C.GDExtensionInterfaceGetProcAddress, library C.GDExtensionClassLibraryPtr, init *C.GDExtensionInitialization) (ok C.GDExtensionBool) {
	defer recoverCallback("webrtc_go_init")
	if err := load(getProcAddress, library); err != nil {
		PrintError("godot-webrtc-go cannot load: "+err.Error(), "", "webrtc_go_init", "capi/exports.go", 0)
		return 0
	}
	C.gdw_fill_initialization(init)
	return 1
}

//export goInitialize
func goInitialize(level C.int) {
	defer recoverCallback("initialize")
	if hooks.Initialize != nil {
		hooks.Initialize(int(level))
	}
}

//export goDeinitialize
func goDeinitialize(level C.int) {
	defer recoverCallback("deinitialize")
	if hooks.Deinitialize != nil {
		hooks.Deinitialize(int(level))
	}
}

//export goCreateInstance
func goCreateInstance(classID C.uintptr_t, postinitialize C.GDExtensionBool) (obj unsafe.Pointer) {
	defer recoverCallback("create_instance")
	return hooks.CreateInstance(uintptr(classID), postinitialize != 0)
}

//export goFreeInstance
func goFreeInstance(classID, instance C.uintptr_t) {
	defer recoverCallback("free_instance")
	hooks.FreeInstance(uintptr(classID), uintptr(instance))
}

//export goGetVirtualCallData
func goGetVirtualCallData(classID C.uintptr_t, name unsafe.Pointer, hash C.uint32_t, hashed C.int) (data C.uintptr_t) {
	defer recoverCallback("get_virtual_call_data")
	return C.uintptr_t(hooks.GetVirtualCallData(uintptr(classID), name, uint32(hash), hashed != 0))
}

//export goCallVirtual
func goCallVirtual(instance, data C.uintptr_t, args, ret unsafe.Pointer) {
	defer recoverCallback("call_virtual")
	hooks.CallVirtual(uintptr(instance), uintptr(data), args, ret)
}

//export goCallMethod
func goCallMethod(methodID, instance C.uintptr_t, args unsafe.Pointer, argc C.GDExtensionInt, ret unsafe.Pointer, callErr *C.GDExtensionCallError) {
	defer recoverCallback("method call")
	ce := hooks.CallMethod(uintptr(methodID), uintptr(instance), args, int(argc), ret, callErr == nil)
	if callErr != nil {
		callErr.error = C.GDExtensionCallErrorType(ce.Error)
		callErr.argument = C.int32_t(ce.Argument)
		callErr.expected = C.int32_t(ce.Expected)
	}
}
