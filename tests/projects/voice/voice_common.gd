## What the voice tests share: a pair of connections with audio tracks, the
## tones they push and what arrives, all in one process.
extends RefCounted

const Relay = preload("res://relay.gd")
const Tone = preload("res://tone.gd")

var relay = Relay.new()
var ia := -1
var ib := -1
var arrived := {}   # peer index -> the tracks track_received gave, in order
var sources := {}   # peer index -> [track, Tone]
var received := {}  # peer index -> PackedVector2Array read from its arrived tracks


## Makes two initialised connections that signal to each other.
func pair(config := {}) -> void:
	var ids: Array[int] = relay.pair(config)
	ia = ids[0]
	ib = ids[1]
	for i in ids:
		arrived[i] = []
		received[i] = PackedVector2Array()
		relay.peers[i].connect("track_received", _on_track.bind(i))


func pc(i: int) -> WebRTCPeerConnection:
	return relay.peers[i]


func _on_track(track: WebRTCGoAudioTrack, i: int) -> void:
	relay._note()
	arrived[i].append(track)


## Makes i's track push tone from now on.
func speak(i: int, track: WebRTCGoAudioTrack, tone) -> void:
	sources[i] = [track, tone]


## step() for harness.gd's wait_until.
func poll() -> void:
	step()


## One frame's work: poll, push what each tone made since the last frame,
## read what arrived. Returns false if a push failed.
func step() -> bool:
	relay.poll()
	var ok := true
	for i in sources:
		var err: Error = sources[i][0].push_frames(sources[i][1].due())
		if err != OK:
			print("  push_frames on peer %d: %s" % [i, error_string(err)])
			ok = false
	for i in arrived:
		for t in arrived[i]:
			received[i].append_array(t.get_frames(t.get_available_frames()))
	return ok


## Measures what peer i received: the text of a log line, and whether it is
## freq_l (and freq_r unless 0) within 10 Hz at amplitude amp (RMS within a
## third of a sine's), and at least min_sec of audio.
func heard(i: int, freq_l: float, freq_r: float, amp: float, min_sec: float) -> Array:
	var rate := AudioServer.get_mix_rate()
	var l = Tone.measure(received[i], rate, 0)
	var r = Tone.measure(received[i], rate, 1)
	var want_rms := amp / sqrt(2.0)
	var ok: bool = abs(l.freq - freq_l) <= 10 and abs(l.rms - want_rms) <= want_rms / 3 and l.seconds >= min_sec
	if freq_r > 0:
		ok = ok and abs(r.freq - freq_r) <= 10 and abs(r.rms - want_rms) <= want_rms / 3
	var text := "peer %d heard %.1f s: left %.1f Hz RMS %.3f, right %.1f Hz RMS %.3f (sent RMS %.3f)" % [
		i, l.seconds, l.freq, l.rms, r.freq, r.rms, want_rms]
	return [ok, text]
