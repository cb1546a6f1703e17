// The report: the markdown table of medians and ratios, and where it is written.

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// writeReport prints the report and, when out is set, writes it there.
func writeReport(text, out string) error {
	fmt.Print(text)
	if out == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, []byte(text), 0o644)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func format(v float64) string {
	switch a := max(v, -v); {
	case a >= 1000:
		return addCommas(fmt.Sprintf("%.0f", v))
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func addCommas(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// render makes the markdown table: medians per runner, then ratios of (a) to
// each reference and to (b).
func (res *results) render(runs int) string {
	runners, values := res.runners, res.values
	var b strings.Builder
	fmt.Fprintf(&b, "Medians of %d runs, %s, `./build.sh bench` (%.0f s of measuring).\n", runs, time.Now().UTC().Format("2006-01-02 15:04 UTC"), res.took.Seconds())
	fmt.Fprintf(&b, "Machine: %s.\n", res.machine)
	b.WriteString("Godot polls once per frame at headless Godot's default pacing (about 145 frames/s, like vsync) unless a row says otherwise; ratios are (a) divided by the other column, so above 1 is better for throughput and worse for times, CPU and memory.\n\n")
	cell := func(r, k string) (float64, bool) {
		v := values[r][k]
		if len(v) == 0 {
			return 0, false
		}
		return median(v), true
	}
	header := []string{"figure"}
	for _, r := range runners {
		header = append(header, r.title)
	}
	type ratio struct{ num, den, title string }
	var ratios []ratio
	has := func(name string) bool {
		return slices.ContainsFunc(runners, func(r runner) bool { return r.name == name })
	}
	for _, q := range []ratio{{"godot", "pion", "(a)/(c) pion"}, {"godot", "wrtc", "(a)/(c) libwebrtc"}, {"godot", "ext", "(a)/(b)"}} {
		if has(q.num) && has(q.den) {
			ratios = append(ratios, q)
			header = append(header, q.title)
		}
	}
	fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
	for _, f := range slices.Concat(figures, voiceFigures) {
		row := []string{f.label}
		any := false
		for _, r := range runners {
			if v, ok := cell(r.name, f.key); ok {
				row = append(row, format(v))
				any = true
			} else {
				row = append(row, "–")
			}
		}
		if !any {
			continue
		}
		for _, q := range ratios {
			n, ok1 := cell(q.num, f.key)
			d, ok2 := cell(q.den, f.key)
			if ok1 && ok2 && d != 0 {
				row = append(row, fmt.Sprintf("%.2f", n/d))
			} else {
				row = append(row, "–")
			}
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
	}
	if len(res.problems) > 0 {
		b.WriteString("\nProblems during the run:\n")
		for _, p := range res.problems {
			fmt.Fprintf(&b, "- %s\n", p)
		}
	}
	return b.String()
}

// replaceBetweenMarkers puts text between the bench markers of file.
func replaceBetweenMarkers(file, text string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s ... %s section", file, beginMarker, endMarker)
	}
	s = s[:i+len(beginMarker)] + "\n" + text + s[j:]
	return os.WriteFile(file, []byte(s), 0o644)
}
