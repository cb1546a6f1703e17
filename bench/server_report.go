package main

import (
	"fmt"
	"strings"
	"time"
)

// serverFigures are the columns of the capacity table.
var serverFigures = []struct {
	key, title string
}{
	{"cpu_pct", "CPU, % of a core"},
	{"frame_p50_ms", "frame p50, ms"},
	{"frame_p99_ms", "frame p99, ms"},
	{"main_cpu_ms_per_frame", "main thread CPU per frame, ms"},
	{"main_queued_pct", "main thread waiting for a CPU, %"},
	{"rss_kib_per_player", "RSS per player, KiB"},
	{"goroutines_per_player", "goroutines per player"},
	{"join_s", "all joined, s"},
	{"inputs_lost_pct", "inputs lost, %"},
	{"snapshots_lost_pct", "snapshots lost, %"},
}

// render makes the markdown report: the capacity table, the ratios to the
// references, the largest number of players each server held, and the churn
// curve.
func (r *serverResults) render(c serverConfig) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Medians of %d run(s), %s, `./build.sh bench -server` (%.0f s of measuring).\n", c.runs,
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), r.took.Seconds())
	fmt.Fprintf(&b, "Machine: %s. The load generator (every player in one Go process) shares it with the server.\n", r.machine)
	fmt.Fprintf(&b, "Each player: %d inputs of %d B/s up (unreliable), %d snapshots of %d B/s down (unreliable), one reliable %d B event a second each way; the server runs %d frames/s. Measured over %v after %v of play.\n\n",
		30, 64, 30, 512, 1024, 60, c.measure, c.warmup)
	header := []string{"players", "server"}
	for _, f := range serverFigures {
		header = append(header, f.title)
	}
	header = append(header, "reliable lost, up/down", "reliable > 100 ms, up/down", "held")
	fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
	for _, n := range r.counts {
		for _, st := range r.stacks {
			if len(r.values[st.name][n]) == 0 {
				continue
			}
			row := []string{fmt.Sprint(n), st.title}
			for _, f := range serverFigures {
				row = append(row, r.cell(st.name, n, f.key))
			}
			row = append(row, r.cell(st.name, n, "events_c2s_lost")+" / "+r.cell(st.name, n, "events_s2c_lost"),
				r.cell(st.name, n, "events_c2s_late")+" / "+r.cell(st.name, n, "events_s2c_late"))
			if r.heldBy(st.name, n) {
				row = append(row, "yes")
			} else {
				row = append(row, "**no**")
			}
			fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
		}
	}
	r.renderRatios(&b)
	b.WriteString("\nLargest number of players held (every player joined, frame p99 under 16.7 ms, no reliable event lost):")
	for i, st := range r.stacks {
		largest := 0
		for _, n := range r.counts {
			if r.heldBy(st.name, n) {
				largest = max(largest, n)
			}
		}
		sep := ","
		if i == 0 {
			sep = ""
		}
		fmt.Fprintf(&b, "%s %s %d", sep, st.title, largest)
	}
	b.WriteString(".\n")
	r.renderChurn(&b)
	if len(r.problems) > 0 {
		b.WriteString("\nProblems during the run:\n")
		for _, p := range r.problems {
			fmt.Fprintf(&b, "- %s\n", p)
		}
	}
	return b.String()
}

func (r *serverResults) cell(stack string, n int, key string) string {
	v, ok := r.median(stack, n, key)
	if !ok {
		return "–"
	}
	return format(v)
}

// renderRatios prints CPU and RSS per player of the Godot server divided by
// each reference's, measured in the same run.
func (r *serverResults) renderRatios(b *strings.Builder) {
	var refs []serverStack
	hasGodot := false
	for _, st := range r.stacks {
		if st.name == "godot" {
			hasGodot = true
		} else {
			refs = append(refs, st)
		}
	}
	if !hasGodot || len(refs) == 0 {
		return
	}
	header := []string{"players"}
	for _, key := range []string{"CPU", "RSS per player"} {
		for _, ref := range refs {
			header = append(header, fmt.Sprintf("%s, Godot / %s", key, ref.title))
		}
	}
	fmt.Fprintf(b, "\nRatios (below 1: the Godot server uses less):\n\n| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
	for _, n := range r.counts {
		row := []string{fmt.Sprint(n)}
		for _, key := range []string{"cpu_pct", "rss_kib_per_player"} {
			for _, ref := range refs {
				a, ok1 := r.median("godot", n, key)
				d, ok2 := r.median(ref.name, n, key)
				if ok1 && ok2 && d > 0 {
					row = append(row, fmt.Sprintf("%.2f", a/d))
				} else {
					row = append(row, "–")
				}
			}
		}
		fmt.Fprintf(b, "| %s |\n", strings.Join(row, " | "))
	}
}

// renderChurn prints the churn curve.
func (r *serverResults) renderChurn(b *strings.Builder) {
	if len(r.churn) == 0 {
		return
	}
	fmt.Fprintf(b, "\nChurn: %d players, %.0f %% of them replaced a minute at random (Godot server):", r.churnN, r.churnPct)
	for _, f := range []struct{ key, label string }{{"churn_left", "left"}, {"churn_joined", "joined"},
		{"churn_failed", "failed to join"}, {"churn_join_p50_ms", "join time p50, ms"}, {"churn_join_max_ms", "join time max, ms"}} {
		if v, ok := r.churnFig[f.key]; ok {
			fmt.Fprintf(b, " %s %.0f;", f.label, v)
		}
	}
	b.WriteString("\n\n| time | players | live connections | goroutines | RSS, MiB | file descriptors | Go heap, MiB | Go heap live at the last collection, MiB | frame p99, ms |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range r.churn {
		fmt.Fprintf(b, "| %v | %d | %d | %d | %.1f | %d | %.1f | %.1f | %.1f |\n", s.at, s.players, s.live, s.goroutines,
			float64(s.rssKiB)/1024, s.fds, s.heapMiB, s.heapLiveMiB, s.frameP99ms)
	}
}
