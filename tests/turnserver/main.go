// Command turnserver runs the test TURN relay of package relay. It prints
// "listening on HOST:PORT" when ready and, when it receives SIGTERM or SIGINT,
// "allocations N, relayed P packets B bytes" and "impaired: lost L" before
// exiting. -loss drops that share of what it relays, from the start.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/godot-webrtc-go/godot-webrtc-go/internal/relay"
)

func main() {
	var cfg relay.Config
	flag.StringVar(&cfg.Listen, "listen", "127.0.0.1:3478", "UDP address to listen on")
	flag.StringVar(&cfg.RelayIP, "relay-ip", "127.0.0.1", "address of relayed allocations")
	flag.StringVar(&cfg.Realm, "realm", "godot-webrtc-go", "realm")
	flag.StringVar(&cfg.Username, "user", "player", "user name")
	flag.StringVar(&cfg.Password, "password", "", "password")
	loss := flag.Float64("loss", 0, "probability that a relayed datagram is dropped")
	seed := flag.Uint64("seed", 1, "seed of the impairment's random draws")
	flag.Parse()
	r, err := relay.Start(cfg)
	if err != nil {
		log.Fatal(err)
	}
	if *loss > 0 {
		r.Impair(relay.Impairment{Loss: *loss, Seed: *seed})
	}
	fmt.Printf("listening on %s\n", r.Addr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	packets, bytes := r.Relayed()
	fmt.Printf("allocations %d, relayed %d packets %d bytes\n", r.Allocations(), packets, bytes)
	fmt.Printf("impaired: lost %d\n", r.ImpairStats().Lost)
	r.Close()
}
