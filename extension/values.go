package extension

import (
	"fmt"
	"math"
	"time"
)

// Values in configuration dictionaries arrive from Godot converted to Go: nil,
// bool, int64, float64, string, []any, map[string]any, or another type that
// describes itself with String(). These helpers read them with Godot-style
// error messages that name the key.

func typeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64, int:
		return "int"
	case float64:
		return "float"
	case string:
		return "String"
	case []any:
		return "Array"
	case map[string]any:
		return "Dictionary"
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprintf("%T", v)
	}
}

func wrongType(key string, want string, v any) error {
	return errorf(ErrInvalidParameter, "%s must be %s, not %s", key, want, typeName(v))
}

func asString(key string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", wrongType(key, "a String", v)
	}
	return s, nil
}

func asBool(key string, v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, wrongType(key, "a bool", v)
	}
	return b, nil
}

// asInt accepts an int, or a float with an integral value (JSON numbers parse
// as floats in Godot), within [lo, hi].
func asInt(key string, v any, lo, hi int64) (int64, error) {
	var i int64
	switch x := v.(type) {
	case int64:
		i = x
	case int:
		i = int64(x)
	case float64:
		if x != math.Trunc(x) || math.IsInf(x, 0) || math.IsNaN(x) || x < math.MinInt64 || x > math.MaxInt64 {
			return 0, wrongType(key, "an integer", v)
		}
		i = int64(x)
	default:
		return 0, wrongType(key, "an int", v)
	}
	if i < lo || i > hi {
		return 0, errorf(ErrInvalidParameter, "%s is %d, outside %d..%d", key, i, lo, hi)
	}
	return i, nil
}

// asSeconds reads a positive duration given in seconds (int or float), at most max.
func asSeconds(key string, v any, max time.Duration) (time.Duration, error) {
	var f float64
	switch x := v.(type) {
	case int64:
		f = float64(x)
	case int:
		f = float64(x)
	case float64:
		f = x
	default:
		return 0, wrongType(key, "a number of seconds", v)
	}
	if !(f > 0) || f > max.Seconds() {
		return 0, errorf(ErrInvalidParameter, "%s is %v, want more than 0 and at most %v seconds", key, v, max.Seconds())
	}
	return time.Duration(f * float64(time.Second)), nil
}
