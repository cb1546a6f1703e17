package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godot-webrtc-go/godot-webrtc-go/binding"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// classDoc is the part of Godot's class reference format (doc_classes/*.xml)
// that this project writes.
type classDoc struct {
	Name        string      `xml:"name,attr"`
	Inherits    string      `xml:"inherits,attr"`
	Brief       string      `xml:"brief_description"`
	Description string      `xml:"description"`
	Methods     []memberDoc `xml:"methods>method"`
	Signals     []memberDoc `xml:"signals>signal"`
}

type memberDoc struct {
	Name   string `xml:"name,attr"`
	Return struct {
		Type string `xml:"type,attr"`
	} `xml:"return"`
	Params []struct {
		Name string `xml:"name,attr"`
		Type string `xml:"type,attr"`
	} `xml:"param"`
	Description string `xml:"description"`
}

// classDocs reads doc_classes/ from the repository, by class name.
func classDocs(t *testing.T) map[string]classDoc {
	t.Helper()
	files, err := filepath.Glob("doc_classes/*.xml")
	require.NoError(t, err)
	docs := map[string]classDoc{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var c classDoc
		require.NoError(t, xml.Unmarshal(data, &c), f)
		assert.Equal(t, c.Name+".xml", filepath.Base(f), "one file per class, named after it")
		docs[c.Name] = c
	}
	return docs
}

// firstSentence returns the first sentence of a description, whitespace
// collapsed: the text the editor test looks for in the help page.
func firstSentence(desc string) string {
	s := strings.Join(strings.Fields(desc), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	return s
}

// TestDocClassesDescribeWhatWeRegister checks doc_classes/ against the class
// specs main.go registers: the same classes, parents, methods (and return
// types) and signals (and arguments), each with a description whose first
// sentence is plain text, and the same files embedded in the library.
func TestDocClassesDescribeWhatWeRegister(t *testing.T) {
	docs := classDocs(t)
	pc, dc := peerConnectionSpec(), dataChannelSpec()
	type spec struct {
		name, parent string
		methods      map[string]string   // name -> return type
		signals      map[string][]string // name -> "name:type" of each argument
	}
	specs := []spec{
		{pc.Name, pc.Parent, map[string]string{}, map[string][]string{}},
		{dc.Name, dc.Parent, map[string]string{}, map[string][]string{}},
	}
	for _, m := range pc.Methods {
		specs[0].methods[m.Name] = binding.TypeName(int(m.Ret))
	}
	for _, s := range pc.Signals {
		specs[0].signals[s.Name] = []string{}
		for _, a := range s.Args {
			specs[0].signals[s.Name] = append(specs[0].signals[s.Name], a.Name+":"+binding.TypeName(int(a.Type)))
		}
	}
	assert.Empty(t, dc.Methods, "WebRTCGoDataChannel gained methods: document them")
	assert.Empty(t, dc.Signals, "WebRTCGoDataChannel gained signals: document them")
	require.Len(t, docs, len(specs), "one XML file per registered class")

	plain := func(what, desc string) {
		assert.NotEmpty(t, strings.TrimSpace(desc), "%s has no description", what)
		first := firstSentence(desc)
		assert.NotContains(t, first, "[", "%s: the first sentence must be plain text (the editor test finds it in the help page): %q", what, first)
		assert.Greater(t, len(first), 20, "%s: first sentence too short to identify it: %q", what, first)
	}
	for _, s := range specs {
		c, ok := docs[s.name]
		if !assert.True(t, ok, "doc_classes/%s.xml is missing", s.name) {
			continue
		}
		assert.Equal(t, s.parent, c.Inherits, s.name)
		plain(s.name+" brief", c.Brief)
		plain(s.name+" description", c.Description)
		documented := map[string]bool{}
		for _, m := range c.Methods {
			documented[m.Name] = true
			ret, registered := s.methods[m.Name]
			if assert.True(t, registered, "%s.%s is documented but not registered", s.name, m.Name) {
				assert.Equal(t, ret, m.Return.Type, "%s.%s return type", s.name, m.Name)
				assert.Empty(t, m.Params, "%s.%s takes no arguments", s.name, m.Name)
			}
			plain(s.name+"."+m.Name, m.Description)
		}
		for name := range s.methods {
			assert.True(t, documented[name], "%s.%s is registered but not documented", s.name, name)
		}
		documented = map[string]bool{}
		for _, sig := range c.Signals {
			documented[sig.Name] = true
			args, registered := s.signals[sig.Name]
			if assert.True(t, registered, "signal %s.%s is documented but not registered", s.name, sig.Name) {
				var got []string
				for _, p := range sig.Params {
					got = append(got, p.Name+":"+p.Type)
				}
				assert.Equal(t, args, got, "signal %s.%s arguments", s.name, sig.Name)
			}
			plain("signal "+s.name+"."+sig.Name, sig.Description)
		}
		for name := range s.signals {
			assert.True(t, documented[name], "signal %s.%s is registered but not documented", s.name, name)
		}
	}

	// The library embeds exactly these files, byte for byte.
	embedded, err := docClasses.ReadDir("doc_classes")
	require.NoError(t, err)
	assert.Len(t, embedded, len(docs))
	for _, e := range embedded {
		want, err := os.ReadFile(filepath.Join("doc_classes", e.Name()))
		require.NoError(t, err)
		got, err := docClasses.ReadFile("doc_classes/" + e.Name())
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), e.Name())
	}
}
