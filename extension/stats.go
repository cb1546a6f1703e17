package extension

import (
	"runtime"
	"runtime/metrics"

	"github.com/pion/webrtc/v4"
)

// Stats returns what get_stats() reports, as Godot-friendly values:
//
//	connection_state   int (ConnectionState)
//	selected_pair      {local: {type, address, port, protocol, relay_protocol},
//	                    remote: {type, address, port, protocol},
//	                    current_round_trip_time: seconds, bytes_sent, bytes_received,
//	                    packets_sent, packets_received}; empty before ICE selects one
//	channels           [{label, id, messages_sent, bytes_sent, messages_received,
//	                    bytes_received, buffered_amount, queued_bytes, dropped}]
//	tracks             [AudioTrack.Stats() of each audio track]
//	runtime            RuntimeStats(): figures of the whole extension, not of this connection
//
// Byte counts of the pair are UDP payload bytes (ICE, DTLS and SCTP included);
// channel counts are message payloads. relay_protocol is how a local relay
// candidate reaches its TURN server ("udp", "tcp", "tls" or "dtls"), empty for
// other candidates: the transport a player behind a firewall ended up on.
func (p *PeerConnection) Stats() map[string]any {
	chans := p.channelList()
	p.mu.Lock()
	pc := p.pc
	p.mu.Unlock()
	out := map[string]any{"connection_state": int64(p.ConnectionState()), "selected_pair": map[string]any{}}
	channels := []any{}
	for _, ch := range chans {
		channels = append(channels, ch.stats())
	}
	out["channels"] = channels
	out["tracks"] = p.trackStats()
	out["runtime"] = RuntimeStats()
	if pc == nil {
		return out
	}
	sctp := pc.SCTP()
	if sctp == nil || sctp.Transport() == nil || sctp.Transport().ICETransport() == nil {
		return out
	}
	pair, err := sctp.Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil || pair.Local == nil || pair.Remote == nil {
		return out
	}
	local := candidateStats(pair.Local)
	local["relay_protocol"] = ""
	selected := map[string]any{"local": local, "remote": candidateStats(pair.Remote)}
	report := pc.GetStats()
	same := func(id string, c *webrtc.ICECandidate) bool {
		cs, ok := report[id].(webrtc.ICECandidateStats)
		return ok && cs.IP == c.Address && int(cs.Port) == int(c.Port)
	}
	for _, s := range report {
		ps, ok := s.(webrtc.ICECandidatePairStats)
		if !ok || !same(ps.LocalCandidateID, pair.Local) || !same(ps.RemoteCandidateID, pair.Remote) {
			continue
		}
		if cs, ok := report[ps.LocalCandidateID].(webrtc.ICECandidateStats); ok {
			local["relay_protocol"] = cs.RelayProtocol
		}
		selected["current_round_trip_time"] = ps.CurrentRoundTripTime
		selected["bytes_sent"] = int64(ps.BytesSent)
		selected["bytes_received"] = int64(ps.BytesReceived)
		selected["packets_sent"] = int64(ps.PacketsSent)
		selected["packets_received"] = int64(ps.PacketsReceived)
	}
	out["selected_pair"] = selected
	return out
}

func candidateStats(c *webrtc.ICECandidate) map[string]any {
	return map[string]any{
		"type":     c.Typ.String(),
		"address":  c.Address,
		"port":     int64(c.Port),
		"protocol": c.Protocol.String(),
	}
}

func (c *DataChannel) stats() map[string]any {
	c.mu.Lock()
	s := map[string]any{
		"label":             c.dc.Label(),
		"id":                int64(orUnset(c.dc.ID())),
		"messages_sent":     c.sent.messages,
		"bytes_sent":        c.sent.bytes,
		"messages_received": c.received.messages,
		"bytes_received":    c.received.bytes,
		"queued_bytes":      int64(c.queued),
		"dropped":           c.dropped,
	}
	c.mu.Unlock()
	s["buffered_amount"] = int64(c.BufferedAmount())
	return s
}

// RuntimeStats returns figures of the extension as a whole (every connection
// of the process), for spotting leaks in long runs:
//
//	goroutines        int: Go goroutines now running (pion's and ours)
//	live_connections  int: peer connections not yet freed
//	go_heap_bytes     int: bytes of Go heap objects (live, and garbage not yet swept)
//	go_heap_live_bytes int: bytes of the heap the last garbage collection found live
//	gc_cycles         int: garbage collections completed so far
//	go_total_bytes    int: all memory the Go runtime has mapped (part of the process RSS)
func RuntimeStats() map[string]any {
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}
	metrics.Read(samples)
	value := func(s metrics.Sample) int64 {
		if s.Value.Kind() != metrics.KindUint64 {
			return -1
		}
		return int64(min(s.Value.Uint64(), 1<<62))
	}
	return map[string]any{
		"goroutines":         int64(runtime.NumGoroutine()),
		"live_connections":   int64(Live()),
		"go_heap_bytes":      value(samples[0]),
		"go_total_bytes":     value(samples[1]),
		"go_heap_live_bytes": value(samples[2]),
		"gc_cycles":          value(samples[3]),
	}
}
