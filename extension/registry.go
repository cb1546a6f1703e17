package extension

import (
	"sync"
	"time"
)

// Every live PeerConnection is tracked so that Shutdown can close them all when
// Godot unloads the extension: no pion goroutine outlives it.
var (
	liveMu sync.Mutex
	live   = map[*PeerConnection]struct{}{}

	// teardowns counts the pion connections closing in the background (see
	// closeAll).
	teardowns sync.WaitGroup
)

func track(p *PeerConnection) {
	liveMu.Lock()
	live[p] = struct{}{}
	liveMu.Unlock()
}

func untrack(p *PeerConnection) {
	liveMu.Lock()
	delete(live, p)
	liveMu.Unlock()
}

// Live returns how many peer connections have not been freed.
func Live() int {
	liveMu.Lock()
	defer liveMu.Unlock()
	return len(live)
}

// Shutdown closes every peer connection that was not freed, in parallel, and
// the shared UDP and TCP muxes, and returns when all are closed (or, should
// pion hang, after shutdownWait: the game is quitting and must not hang).
func Shutdown() {
	liveMu.Lock()
	all := make([]*PeerConnection, 0, len(live))
	for p := range live {
		all = append(all, p)
	}
	clear(live)
	liveMu.Unlock()
	var wg sync.WaitGroup
	for _, p := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.Close()
		}()
	}
	wg.Wait()
	done := make(chan struct{})
	go func() {
		teardowns.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(shutdownWait):
	}
	closeMuxes()
}
