package main

import (
	"encoding/xml"
	"fmt"
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
		Enum string `xml:"enum,attr"`
	} `xml:"return"`
	Params []struct {
		Name    string  `xml:"name,attr"`
		Type    string  `xml:"type,attr"`
		Default *string `xml:"default,attr"`
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

// typeDoc is how the class reference writes a type: an Object by its class,
// an enum as int (its name goes in the enum attribute).
func typeDoc(t binding.VariantType, class string) string {
	if t == binding.TypeObject && class != "" {
		return class
	}
	return binding.TypeName(int(t))
}

// spec is what docs_test compares a class's XML with.
type spec struct {
	name, parent string
	methods      map[string]string   // name -> return type (and ",enum=Name")
	params       map[string][]string // method name -> "name:type" (and "=default") of each argument
	signals      map[string][]string // name -> "name:type" of each argument
}

// specOf reads what Register is given for a class.
func specOf[T any](c binding.ClassSpec[T]) spec {
	s := spec{c.Name, c.Parent, map[string]string{}, map[string][]string{}, map[string][]string{}}
	for _, m := range c.Methods {
		ret := typeDoc(m.Ret, m.RetClass)
		if m.Ret == binding.TypeInt && m.RetClass != "" {
			ret += ",enum=" + m.RetClass
		}
		s.methods[m.Name] = ret
		s.params[m.Name] = []string{}
		for _, a := range m.Args {
			p := a.Name + ":" + binding.TypeName(int(a.Type))
			if a.Default != nil {
				p += "=" + fmt.Sprint(a.Default)
			}
			s.params[m.Name] = append(s.params[m.Name], p)
		}
	}
	for _, sig := range c.Signals {
		s.signals[sig.Name] = []string{}
		for _, a := range sig.Args {
			s.signals[sig.Name] = append(s.signals[sig.Name], a.Name+":"+typeDoc(a.Type, a.Class))
		}
	}
	return s
}

// TestDocClassesDescribeWhatWeRegister checks doc_classes/ against the class
// specs main.go registers: the same classes, parents, methods (their return
// types and arguments) and signals (and arguments), each with a description
// whose first sentence is plain text, and the same files embedded in the
// library.
func TestDocClassesDescribeWhatWeRegister(t *testing.T) {
	docs := classDocs(t)
	specs := []spec{specOf(peerConnectionSpec()), specOf(dataChannelSpec()), specOf(audioTrackSpec())}
	assert.Empty(t, specs[1].methods, "WebRTCGoDataChannel gained methods: document them")
	assert.Empty(t, specs[1].signals, "WebRTCGoDataChannel gained signals: document them")
	require.Len(t, docs, len(specs), "one XML file per registered class")
	// How the XML writes the default values of the arguments registered.
	defaults := map[string]string{"map[]": "{}"}

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
				got := m.Return.Type
				if m.Return.Enum != "" {
					got += ",enum=" + m.Return.Enum
				}
				assert.Equal(t, ret, got, "%s.%s return type", s.name, m.Name)
				params := []string{}
				for _, p := range m.Params {
					param := p.Name + ":" + p.Type
					if p.Default != nil {
						param += "=" + *p.Default
					}
					params = append(params, param)
				}
				want := []string{}
				for _, p := range s.params[m.Name] {
					if name, def, ok := strings.Cut(p, "="); ok {
						p = name + "=" + defaults[def]
					}
					want = append(want, p)
				}
				assert.Equal(t, want, params, "%s.%s arguments", s.name, m.Name)
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
