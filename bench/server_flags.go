package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// serverFlags are the flags of the server benchmark (-server).
type serverFlags struct {
	c       serverConfig
	clients *string
	servers *string
}

func registerServerFlags() *serverFlags {
	f := &serverFlags{}
	f.clients = flag.String("clients", "16,64,128,256", "server: players per run")
	flag.BoolVar(&f.c.more, "more", true, "server: after -clients, add 128 players while a server still holds them")
	flag.IntVar(&f.c.maxClients, "max-clients", 768, "server: the most players -more goes to")
	f.servers = flag.String("servers", "godot,pion,wrtc", "server: comma-separated servers: godot, godotch (Godot reading each player's channels itself), ext (the Go layer without Godot), pion, wrtc")
	flag.DurationVar(&f.c.warmup, "warmup", 3*time.Second, "server: play this long after joining, before measuring")
	flag.DurationVar(&f.c.measure, "measure", 10*time.Second, "server: measured time of each run")
	flag.DurationVar(&f.c.joinTimeout, "join-timeout", 90*time.Second, "server: how long the players may take to join")
	flag.Float64Var(&f.c.churn, "churn", 10, "server: percent of the players replaced a minute in the churn run (0: none)")
	flag.DurationVar(&f.c.churnFor, "churn-for", 5*time.Minute, "server: length of the churn run (0: none)")
	flag.IntVar(&f.c.churnClients, "churn-clients", 128, "server: players of the churn run")
	flag.DurationVar(&f.c.churnEvery, "churn-every", 15*time.Second, "server: how often the churn curve is sampled")
	flag.StringVar(&f.c.addonBefore, "addon-before", "", "server: another build of the addon, measured as server \"before\" (add it to -servers)")
	return f
}

// config completes the configuration once the flags are parsed: -runs
// defaults to 1 here (a run of every player count takes minutes).
func (f *serverFlags) config(runs int) (serverConfig, error) {
	c := f.c
	c.runs = 1
	flag.Visit(func(fl *flag.Flag) {
		if fl.Name == "runs" {
			c.runs = runs
		}
	})
	c.stacks = strings.Split(*f.servers, ",")
	if slices.Contains(c.stacks, "before") && c.addonBefore == "" {
		return c, fmt.Errorf("-servers before needs -addon-before")
	}
	for _, s := range strings.Split(*f.clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return c, fmt.Errorf("-clients: %q is not a number of players", s)
		}
		c.clients = append(c.clients, n)
	}
	return c, nil
}

// serverBenchAndReport runs the server benchmark and writes its report to
// out (bench-server.md next to the main table's bench.md unless -out names
// another file).
func serverBenchAndReport(f *serverFlags, bc config, out string) error {
	c, err := f.config(bc.runs)
	if err != nil {
		return err
	}
	if filepath.Base(out) == "bench.md" { // the main table's default, which ./build.sh bench passes
		out = filepath.Join(filepath.Dir(out), "bench-server.md")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := measureServers(ctx, c, bc.addon, bc.npm)
	if err != nil {
		return err
	}
	return writeReport(res.render(c), out)
}
