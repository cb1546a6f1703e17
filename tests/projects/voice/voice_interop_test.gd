# Godot's side of the voice interop tests (voice_interop_test.go) against a
# browser or libwebrtc running tests/peers/voice_peer.js: Godot joins the
# signaling room first (id 1), both add an audio track, OFFERER ("godot" or
# "remote") offers. Godot pushes a 440 Hz tone and measures the remote's
# 440 Hz tone; the remote measures Godot's and reports over signaling.
# Environment: SIGNALING_URL, OFFERER.
extends "res://harness.gd"

const Signaling = preload("res://signaling_client.gd")
const Tone = preload("res://tone.gd")

var signaling = Signaling.new()
var pc := WebRTCPeerConnection.new()
var remote := 0
var heard: WebRTCGoAudioTrack
var report := {}


func test_voice_with_another_stack() -> void:
	signaling.peer_joined.connect(_on_joined)
	signaling.message.connect(_on_message)
	pc.session_description_created.connect(func(type, sdp):
		pc.set_local_description(type, sdp)
		signaling.send(remote, {"type": type, "sdp": sdp}))
	pc.ice_candidate_created.connect(func(media, index, name):
		signaling.send(remote, {"type": "candidate", "media": media, "index": index, "name": name}))
	pc.connect("track_received", func(t): heard = t)
	pc.initialize({})
	var track = pc.add_audio_track()
	if not check(signaling.connect_to(OS.get_environment("SIGNALING_URL")) == OK, "signaling"):
		return
	if not check(await wait_until(func(): return heard != null, [signaling, pc], 60), "the remote's track arrives"):
		return
	check(is_same(heard, track), "the remote's audio arrives on the track Godot added")
	var rate := AudioServer.get_mix_rate()
	var tone = Tone.new(rate, 440, 440, 0.5)
	var got := PackedVector2Array()
	var start := Time.get_ticks_msec()
	# Push until the remote has measured, and at least 4 s.
	while report.is_empty() or Time.get_ticks_msec() - start < 4000:
		if Time.get_ticks_msec() - start > 30000:
			break
		signaling.poll()
		pc.poll()
		track.push_frames(tone.due())
		got.append_array(heard.get_frames(heard.get_available_frames()))
		await process_frame
	var m = Tone.measure(got, rate, 0, 0.5)
	var s: Dictionary = track.get_stats()
	print("VOICE Godot heard the remote for %.1f s: %.1f Hz RMS %.3f; stats %s" % [m.seconds, m.freq, m.rms, s])
	check(abs(m.freq - 440) <= 10, "Godot hears 440 Hz from the remote")
	check(m.rms > 0.05, "at a level (RMS %.3f)" % m.rms)
	check(m.seconds > 2, "for more than 2 s")
	if check(not report.is_empty(), "the remote reported what it heard"):
		print("VOICE the remote (%s) heard Godot: %s" % [report.get("agent", "?"), JSON.stringify(report)])
		var freq = report.get("freq")
		var rms = report.get("rms")
		check(typeof(freq) == TYPE_FLOAT and abs(freq - 440) <= 10, "the remote hears 440 Hz from Godot")
		check(typeof(rms) == TYPE_FLOAT and rms > 0.05, "at a level")
		check(str(report.get("codec", "")).to_lower() == "audio/opus", "the remote decoded Opus")
	signaling.send(remote, {"type": "bye"})
	await wait_until(func(): return false, [signaling, pc], 0.3)
	pc.close()


func _on_joined(id: int) -> void:
	remote = id
	if OS.get_environment("OFFERER") == "godot":
		pc.create_offer()


func _on_message(from: int, msg: Dictionary) -> void:
	remote = from
	match msg.type:
		"offer", "answer":
			pc.set_remote_description(msg.type, msg.sdp)
		"candidate":
			pc.add_ice_candidate(msg.media, int(msg.index), msg.name)
		"voice-result":
			report = msg
