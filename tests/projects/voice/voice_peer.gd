# One side of a voice call between two Godot processes (voice_test.go starts
# both), signaling through examples/signaling: the first to join waits, the
# second adds its track and offers. Each pushes a 440 Hz tone (660 Hz on the
# right in stereo) at its own level and checks it hears the other's.
# Environment: SIGNALING_URL, CHANNELS (1 or 2).
extends "res://harness.gd"

const Signaling = preload("res://signaling_client.gd")
const Tone = preload("res://tone.gd")

const SECONDS := 3.0

var signaling = Signaling.new()
var pc := WebRTCPeerConnection.new()
var other := 0
var track: WebRTCGoAudioTrack
var heard: WebRTCGoAudioTrack
var other_done := false


func test_voice_across_processes() -> void:
	var channels := int(OS.get_environment("CHANNELS"))
	signaling.welcomed.connect(_on_welcomed)
	signaling.peer_joined.connect(func(id): other = id)
	signaling.message.connect(_on_message)
	pc.session_description_created.connect(func(type, sdp):
		pc.set_local_description(type, sdp)
		signaling.send(other, {"type": type, "sdp": sdp}))
	pc.ice_candidate_created.connect(func(media, index, name):
		signaling.send(other, {"type": "candidate", "media": media, "index": index, "name": name}))
	pc.connect("track_received", func(t): heard = t)
	track = pc.add_audio_track({"channels": channels})
	if not check(signaling.connect_to(OS.get_environment("SIGNALING_URL")) == OK, "signaling"):
		return
	if not check(await wait_until(func(): return heard != null, [signaling, pc], 60), "the other's track arrives"):
		return
	check(is_same(heard, track), "the other's audio arrives on the track this side added")
	var first: bool = signaling.id == 1
	var amp := 0.5 if first else 0.25
	var right := 660.0 if channels == 2 else 440.0
	var rate := AudioServer.get_mix_rate()
	var tone = Tone.new(rate, 440, right, amp)
	var got := PackedVector2Array()
	var end := Time.get_ticks_msec() + int(SECONDS * 1000)
	var pushed_ok := true
	while Time.get_ticks_msec() < end:
		signaling.poll()
		pc.poll()
		pushed_ok = track.push_frames(tone.due()) == OK and pushed_ok
		got.append_array(heard.get_frames(heard.get_available_frames()))
		await process_frame
	check(pushed_ok, "every push_frames returned OK")
	var want := (0.25 if first else 0.5) / sqrt(2.0)
	var l = Tone.measure(got, rate, 0)
	var r = Tone.measure(got, rate, 1)
	print("VOICE peer %d (%d channels) heard %.1f s: left %.1f Hz RMS %.3f, right %.1f Hz RMS %.3f (sent RMS %.3f)" % [
		signaling.id, channels, l.seconds, l.freq, l.rms, r.freq, r.rms, want])
	check(abs(l.freq - 440) <= 10, "left 440 Hz")
	check(abs(r.freq - right) <= 10, "right %d Hz" % right)
	check(abs(l.rms - want) <= want / 3 and abs(r.rms - want) <= want / 3, "the other's level")
	check(l.seconds >= SECONDS / 2, "at least half the time heard")
	print("VOICE peer %d stats: %s" % [signaling.id, track.get_stats()])
	# Keep the call up until the other side has measured too.
	signaling.send(other, {"type": "done"})
	await wait_until(func(): return other_done, [signaling, pc], 30)
	pc.close()


func _on_welcomed(id: int, peers: Array) -> void:
	if peers.is_empty():
		return # the first: the other offers when it joins
	other = int(peers[0])
	pc.create_offer()


func _on_message(from: int, msg: Dictionary) -> void:
	other = from
	match msg.type:
		"offer", "answer":
			pc.set_remote_description(msg.type, msg.sdp)
		"candidate":
			pc.add_ice_candidate(msg.media, int(msg.index), msg.name)
		"done":
			other_done = true
