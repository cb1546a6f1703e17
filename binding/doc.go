// Package binding is an idiomatic Go layer over Godot's GDExtension interface
// (package capi): StringName and Variant conversion, registration of extension
// classes with virtual methods dispatched by (name, hash), signal emission and
// error printing through Godot.
//
// Every callback from Godot into Go goes through this package, which recovers
// panics, prints them through Godot and returns the error value the virtual's
// signature calls for, so a Go panic never aborts the game.
package binding
