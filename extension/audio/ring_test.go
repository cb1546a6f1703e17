package audio

import "testing"

func TestRingKeepsOrderAcrossTheWrap(t *testing.T) {
	r := newRing(5)
	var next, want float32
	for range 20 {
		chunk := []float32{next, next + 1, next + 2}
		next += 3
		if d := r.write(chunk); d != 0 {
			t.Fatalf("dropped %d with room", d)
		}
		out := make([]float32, 4)
		n := r.read(out)
		for _, v := range out[:n] {
			if v != want {
				t.Fatalf("read %v, want %v", v, want)
			}
			want++
		}
		if r.len() != int(next-want) {
			t.Fatalf("len %d, want %v", r.len(), next-want)
		}
	}
}

func TestRingDropsOldestWhenFull(t *testing.T) {
	r := newRing(4)
	r.write([]float32{1, 2, 3})
	if d := r.write([]float32{4, 5, 6}); d != 2 {
		t.Fatalf("dropped %d, want 2", d)
	}
	if d := r.write([]float32{7, 8, 9, 10, 11, 12}); d != 6 {
		t.Fatalf("dropped %d, want 6", d)
	}
	out := make([]float32, 10)
	n := r.read(out)
	if n != 4 || out[0] != 9 || out[3] != 12 {
		t.Fatalf("read %v, want [9 10 11 12]", out[:n])
	}
	if r.len() != 0 || r.free() != 4 {
		t.Fatalf("len %d free %d after draining", r.len(), r.free())
	}
}
