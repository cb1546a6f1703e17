package main

import (
	"embed"
	"fmt"
	"os"
	"path"

	"github.com/godot-webrtc-go/godot-webrtc-go/binding"
)

// docClasses holds the class reference of the classes this library registers,
// in the format of Godot's doc_classes (one XML file per class).
//
//go:embed doc_classes/*.xml
var docClasses embed.FS

// testNoEditorHelpEnv keeps the class reference out of the editor's help, so
// the integration tests can show that the help text they read comes from
// doc_classes. Testing only.
const testNoEditorHelpEnv = "WEBRTC_GO_TEST_NO_EDITOR_HELP"

// loadEditorHelp hands every file of doc_classes to the editor's help. A Godot
// without editor help (an export template, a version before 4.3) is skipped.
func loadEditorHelp() error {
	if os.Getenv(testNoEditorHelpEnv) != "" {
		return nil
	}
	files, err := docClasses.ReadDir("doc_classes")
	if err != nil {
		return fmt.Errorf("class reference: %w", err)
	}
	for _, f := range files {
		xml, err := docClasses.ReadFile(path.Join("doc_classes", f.Name()))
		if err != nil {
			return fmt.Errorf("class reference %s: %w", f.Name(), err)
		}
		if !binding.LoadEditorHelp(xml) {
			return nil
		}
	}
	return nil
}
