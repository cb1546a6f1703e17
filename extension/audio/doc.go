// Package audio is the media core of the extension's voice tracks: it turns
// PCM frames pushed by the game into 20 ms Opus packets, and received Opus RTP
// packets back into PCM frames the game can read, with no dependency on Godot
// or on a PeerConnection.
//
// A Sender takes stereo-interleaved float32 frames at the game's mix rate,
// queues them in a bounded ring, resamples them to 48 kHz, encodes them on its
// own goroutine and hands each packet, with its RTP sequence number and
// timestamp, to a PacketSink. A Receiver takes RTP packets from any goroutine,
// orders them in a jitter buffer, decodes them on its own goroutine with loss
// concealment, resamples them to the mix rate and keeps the result in a
// bounded ring that the game drains with ReadFrames.
//
// Push, ReadFrames, Available and Stats only copy under a short lock, so they
// are safe to call from the game's thread every frame. Each Sender and
// Receiver runs exactly one goroutine, from its constructor until Close.
//
// The codec is github.com/tphakala/go-opus: pure Go, so the library keeps
// needing only the system C library. Its encoder is CELT-only, which every
// Opus decoder (browsers included) decodes; its decoder handles CELT, SILK and
// hybrid packets, loss concealment and in-band FEC. docs/voice.md has the
// measurements behind that choice.
package audio
