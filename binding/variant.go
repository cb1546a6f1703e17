package binding

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"unsafe"

	"github.com/godot-webrtc-go/godot-webrtc-go/capi"
)

// Storage for built-in values constructed by Godot in Go memory: the right size
// and pointer alignment, and no Go pointers inside (cgo's rule).
type (
	variant     [capi.VariantSize / 8]uint64
	godotString uint64
)

// VariantType is Godot's Variant::Type: the type of a registered method's
// result or of a signal's argument.
type VariantType = capi.VariantType

// Variant types of the methods and signals registered here.
const (
	TypeNil                = capi.TypeNil
	TypeInt                = capi.TypeInt
	TypeFloat              = capi.TypeFloat
	TypeString             = capi.TypeString
	TypeObject             = capi.TypeObject
	TypeDictionary         = capi.TypeDictionary
	TypePackedVector2Array = capi.TypePackedVector2Array
)

// Unsupported stands for a Variant whose type has no Go counterpart here (a
// Vector2, a Callable, ...). Type is Godot's Variant::Type number.
type Unsupported struct{ Type int }

func (u Unsupported) String() string { return TypeName(u.Type) }

// TypeName returns Godot's name of a Variant type.
func TypeName(t int) string {
	if t >= 0 && t < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("Variant type %d", t)
}

var typeNames = [...]string{"null", "bool", "int", "float", "String", "Vector2", "Vector2i", "Rect2",
	"Rect2i", "Vector3", "Vector3i", "Transform2D", "Vector4", "Vector4i", "Plane", "Quaternion", "AABB",
	"Basis", "Transform3D", "Projection", "Color", "StringName", "NodePath", "RID", "Object", "Callable",
	"Signal", "Dictionary", "Array", "PackedByteArray", "PackedInt32Array", "PackedInt64Array",
	"PackedFloat32Array", "PackedFloat64Array", "PackedStringArray", "PackedVector2Array",
	"PackedVector3Array", "PackedColorArray", "PackedVector4Array"}

// maxDepth bounds nesting when converting containers; Godot arrays may even
// contain themselves.
const maxDepth = 32

var errTooDeep = errors.New("value is nested too deeply (or contains itself)")

// DictionaryToGo converts the Godot Dictionary at p (an argument Godot passed)
// into a Go map. Values become nil, bool, int64, float64, string, []any,
// map[string]any or Unsupported. Keys must be String or StringName.
func DictionaryToGo(p unsafe.Pointer) (map[string]any, error) {
	var v variant
	capi.VariantFrom(capi.TypeDictionary, unsafe.Pointer(&v), p)
	defer capi.VariantDestroy(unsafe.Pointer(&v))
	m, err := variantToGo(unsafe.Pointer(&v), 0)
	if err != nil {
		return nil, err
	}
	return m.(map[string]any), nil
}

func variantToGo(v unsafe.Pointer, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	switch t := capi.VariantGetType(v); t {
	case capi.TypeNil:
		return nil, nil
	case capi.TypeBool:
		var b uint8
		capi.VariantTo(t, unsafe.Pointer(&b), v)
		return b != 0, nil
	case capi.TypeInt:
		var i int64
		capi.VariantTo(t, unsafe.Pointer(&i), v)
		return i, nil
	case capi.TypeFloat:
		var f float64
		capi.VariantTo(t, unsafe.Pointer(&f), v)
		return f, nil
	case capi.TypeString:
		var s godotString
		capi.VariantTo(t, unsafe.Pointer(&s), v)
		defer capi.Destroy(t, unsafe.Pointer(&s))
		return capi.StringToGo(unsafe.Pointer(&s)), nil
	case capi.TypeStringName:
		var sn godotString
		capi.VariantTo(t, unsafe.Pointer(&sn), v)
		defer capi.Destroy(t, unsafe.Pointer(&sn))
		return stringNameToGo(unsafe.Pointer(&sn)), nil
	case capi.TypeDictionary:
		return dictionaryToGo(v, depth)
	case capi.TypeArray, capi.TypePackedStringArray:
		return arrayToGo(v, depth)
	default:
		return Unsupported{Type: int(t)}, nil
	}
}

// iterate calls f with each element a Variant iterates over (the keys of a
// Dictionary, the items of an Array).
func iterate(v unsafe.Pointer, f func(elem unsafe.Pointer) error) error {
	var iter variant
	more, valid := capi.IterInit(v, unsafe.Pointer(&iter))
	defer capi.VariantDestroy(unsafe.Pointer(&iter))
	if !valid {
		return errors.New("value cannot be iterated")
	}
	for ; more; more = capi.IterNext(v, unsafe.Pointer(&iter)) {
		var elem variant
		if !capi.IterGet(v, unsafe.Pointer(&iter), unsafe.Pointer(&elem)) {
			capi.VariantDestroy(unsafe.Pointer(&elem))
			return errors.New("iteration failed")
		}
		err := f(unsafe.Pointer(&elem))
		capi.VariantDestroy(unsafe.Pointer(&elem))
		if err != nil {
			return err
		}
	}
	return nil
}

func dictionaryToGo(v unsafe.Pointer, depth int) (map[string]any, error) {
	m := map[string]any{}
	err := iterate(v, func(key unsafe.Pointer) error {
		k, err := variantToGo(key, depth+1)
		if err != nil {
			return err
		}
		name, ok := k.(string)
		if !ok {
			return fmt.Errorf("dictionary key %v is a %s, not a String", k, TypeName(int(capi.VariantGetType(key))))
		}
		var val variant
		if !capi.VariantGet(v, key, unsafe.Pointer(&val)) {
			capi.VariantDestroy(unsafe.Pointer(&val))
			return fmt.Errorf("dictionary key %q has no value", name)
		}
		x, err := variantToGo(unsafe.Pointer(&val), depth+1)
		capi.VariantDestroy(unsafe.Pointer(&val))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		m[name] = x
		return nil
	})
	return m, err
}

func arrayToGo(v unsafe.Pointer, depth int) ([]any, error) {
	var out []any
	err := iterate(v, func(elem unsafe.Pointer) error {
		x, err := variantToGo(elem, depth+1)
		if err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	if out == nil {
		out = []any{}
	}
	return out, err
}

// newVariant constructs at dst a Variant from a Go value: nil, string,
// StringName, int, int64, float64, bool, Object, map[string]any (Dictionary)
// or []any (Array). Signal arguments and method results are built with it.
func newVariant(dst unsafe.Pointer, x any) error {
	switch x := x.(type) {
	case nil:
		capi.VariantNil(dst)
	case string:
		var s godotString
		capi.StringNew(unsafe.Pointer(&s), x)
		capi.VariantFrom(capi.TypeString, dst, unsafe.Pointer(&s))
		capi.Destroy(capi.TypeString, unsafe.Pointer(&s))
	case StringName:
		capi.VariantFrom(capi.TypeStringName, dst, x.ptr)
	case int:
		i := int64(x)
		capi.VariantFrom(capi.TypeInt, dst, unsafe.Pointer(&i))
	case int64:
		capi.VariantFrom(capi.TypeInt, dst, unsafe.Pointer(&x))
	case float64:
		if math.IsNaN(x) {
			x = 0
		}
		capi.VariantFrom(capi.TypeFloat, dst, unsafe.Pointer(&x))
	case bool:
		var b uint8
		if x {
			b = 1
		}
		capi.VariantFrom(capi.TypeBool, dst, unsafe.Pointer(&b))
	case Object:
		p := x.ptr
		capi.VariantFrom(capi.TypeObject, dst, unsafe.Pointer(&p))
	case map[string]any:
		var d godotString // a Dictionary is one pointer, like a String
		capi.ConstructDefault(capi.TypeDictionary, unsafe.Pointer(&d))
		capi.VariantFrom(capi.TypeDictionary, dst, unsafe.Pointer(&d))
		capi.Destroy(capi.TypeDictionary, unsafe.Pointer(&d))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			var key, value variant
			_ = newVariant(unsafe.Pointer(&key), k)
			err := newVariant(unsafe.Pointer(&value), x[k])
			capi.VariantSet(dst, unsafe.Pointer(&key), unsafe.Pointer(&value))
			capi.VariantDestroy(unsafe.Pointer(&key))
			capi.VariantDestroy(unsafe.Pointer(&value))
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
	case []any:
		var a godotString // an Array is one pointer too
		capi.ConstructDefault(capi.TypeArray, unsafe.Pointer(&a))
		capi.VariantFrom(capi.TypeArray, dst, unsafe.Pointer(&a))
		capi.Destroy(capi.TypeArray, unsafe.Pointer(&a))
		for _, item := range x {
			var value, ret variant
			err := newVariant(unsafe.Pointer(&value), item)
			capi.VariantCall1(dst, Name("push_back").ptr, unsafe.Pointer(&value), unsafe.Pointer(&ret))
			capi.VariantDestroy(unsafe.Pointer(&value))
			capi.VariantDestroy(unsafe.Pointer(&ret))
			if err != nil {
				return err
			}
		}
	default:
		capi.VariantNil(dst)
		return fmt.Errorf("cannot pass a Go %T to Godot", x)
	}
	return nil
}
