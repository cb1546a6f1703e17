package binding

import (
	"github.com/godot-webrtc-go/godot-webrtc-go/capi"
)

var (
	onInitialize       []func() error
	onEditorInitialize []func() error
	onDeinitialize     []func()
)

func init() {
	capi.SetHooks(capi.Hooks{
		Initialize:         initialize,
		Deinitialize:       deinitialize,
		CreateInstance:     createInstance,
		FreeInstance:       freeInstance,
		GetVirtualCallData: virtualCallData,
		CallVirtual:        callVirtual,
		CallMethod:         callMethod,
	})
}

// OnInitialize adds f to the functions run when Godot initialises the scene
// level, where extension classes are registered. Call it from an init function;
// f may call into Godot, init functions must not.
func OnInitialize(f func() error) { onInitialize = append(onInitialize, f) }

// OnEditorInitialize adds f to the functions run when Godot initialises the
// editor level, after the scene level; Godot does so only in the editor. Call
// it from an init function.
func OnEditorInitialize(f func() error) { onEditorInitialize = append(onEditorInitialize, f) }

// OnDeinitialize adds f to the functions run, in reverse order, when Godot
// deinitialises the scene level.
func OnDeinitialize(f func()) { onDeinitialize = append(onDeinitialize, f) }

func initialize(level int) {
	switch level {
	case capi.LevelScene:
		initializeScene()
	case capi.LevelEditor:
		for _, f := range onEditorInitialize {
			if err := f(); err != nil {
				PrintError(err)
			}
		}
	}
}

func initializeScene() {
	if err := lookupEngineMethods(); err != nil {
		PrintError(err)
		return
	}
	for _, f := range onInitialize {
		if err := f(); err != nil {
			PrintError(err)
			return
		}
	}
}

func deinitialize(level int) {
	if level != capi.LevelScene {
		return
	}
	if v := capi.ActingAs(); v != "" {
		PrintWarning("through Godot %s's interface: Godot asked for %d virtuals by name only and %d by name and hash; this library sent NOTIFICATION_POSTINITIALIZE to %d objects",
			v, lookupsByName.Load(), lookupsByHash.Load(), postinitializeSent.Load())
	}
	for i := len(onDeinitialize) - 1; i >= 0; i-- {
		func() {
			defer recoverTo("deinitialize")
			onDeinitialize[i]()
		}()
	}
	unregisterClasses()
	freeStringNames()
}

// LoadEditorHelp hands one class reference XML document (the format of Godot's
// doc_classes/*.xml) to the editor's help, where it describes the classes the
// extension registers. Call it at the editor level. It reports false when this
// Godot has no editor help to load it into (export templates, Godot before 4.3).
func LoadEditorHelp(xml []byte) bool { return capi.EditorHelpLoadXML(xml) }
