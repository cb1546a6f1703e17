# Audio tracks between two connections in one Godot process: the API and its
# errors, a tone each way (mono and stereo), and a track added to a connected
# peer by renegotiation while a data channel keeps echoing. binding_test.go's
# voice_test.go runs it and checks the errors printed.
extends "res://harness.gd"

const Common = preload("res://voice_common.gd")
const Tone = preload("res://tone.gd")

const SECONDS := 2.5


func test_script_constructed_track_is_inert() -> void:
	var t := WebRTCGoAudioTrack.new()
	check_eq(t.push_frames(PackedVector2Array([Vector2(0.1, 0.1)])), ERR_UNCONFIGURED, "push_frames on a track a script made")
	check_eq(t.get_frames(10).size(), 0, "get_frames")
	check_eq(t.get_available_frames(), 0, "get_available_frames")
	check_eq(t.get_mix_rate(), 0, "get_mix_rate")
	check_eq(t.get_stats(), {}, "get_stats")


func test_add_audio_track_options_and_errors() -> void:
	var pc := WebRTCPeerConnection.new()
	var t = pc.add_audio_track() # a Variant call, with the default options
	check(t is WebRTCGoAudioTrack, "add_audio_track() returns a WebRTCGoAudioTrack")
	check_eq(t.get_mix_rate(), int(AudioServer.get_mix_rate()), "the default mix rate is the AudioServer's")
	var typed := pc as WebRTCGoPeerConnection
	var t2: WebRTCGoAudioTrack = typed.add_audio_track({"channels": 2, "bitrate": 48000, "fec": false, "dtx": true, "mix_rate": 48000.0})
	check(t2 != null, "a pointer call with every option")
	check_eq(t2.get_mix_rate(), 48000, "mix_rate option")
	print("BAD OPTIONS BEGIN")
	check(pc.add_audio_track({"channels": 3}) == null, "channels 3 is refused")
	check(pc.add_audio_track({"bitrate": "fast"}) == null, "a String bitrate is refused")
	check(typed.add_audio_track({"mix_rate": 100}) == null, "mix_rate 100 is refused")
	check_eq(t.get_frames(-1).size(), 0, "get_frames(-1)")
	print("BAD OPTIONS END")
	var stats: Dictionary = pc.get_stats()
	check_eq(stats.tracks.size(), 2, "two tracks in get_stats()")
	if stats.tracks.size() == 2:
		check_eq(stats.tracks[1].channels_sent, 2, "the stereo track's channels")
		check_eq(stats.tracks[1].codec, "audio/opus", "codec")
	check_eq(t2.get_stats().mix_rate, 48000, "the track's own stats")

	var tone = Tone.new(48000, 440, 440, 0.5)
	check_eq(t2.push_frames(tone.make(14400)), OK, "300 ms at once")
	check_eq(t2.push_frames(tone.make(14400)), ERR_BUSY, "600 ms ahead of real time")
	check_eq(t2.get_stats().push_busy, 1, "push_busy counted")
	check_eq(t2.push_frames(PackedVector2Array()), OK, "nothing to push")

	pc.close()
	print("CLOSED BEGIN")
	check_eq(t.push_frames(tone.make(10)), ERR_UNCONFIGURED, "push_frames after close()")
	print("CLOSED END")
	check_eq(pc.get_stats().tracks.size(), 0, "no tracks after close()")
	check_eq(t.get_available_frames(), 0, "nothing arrives after close()")


func test_wrong_arguments_are_call_errors() -> void:
	# Through callv, as an untyped script would call: Godot reports each call
	# error (printed, checked by voice_test.go) and the call returns null.
	var pc := WebRTCPeerConnection.new()
	var t = pc.add_audio_track()
	print("CALL ERRORS BEGIN")
	check(t.callv("push_frames", [[Vector2(1, 1)]]) == null, "an Array for a PackedVector2Array")
	check(t.callv("push_frames", []) == null, "no argument")
	check(pc.callv("add_audio_track", [{}, 5]) == null, "two arguments")
	check(pc.callv("add_audio_track", [[1]]) == null, "an Array for a Dictionary")
	check(t.callv("get_frames", ["ten"]) == null, "a String for an int")
	print("CALL ERRORS END")
	check_eq(t.callv("get_frames", [10.7]), PackedVector2Array(), "a float for an int is taken, as Godot's own methods do")
	check(pc.callv("add_audio_track", []) is WebRTCGoAudioTrack, "the default options")
	check_eq(pc.get_stats().tracks.size(), 2, "only the valid calls added tracks")
	pc.close()


func _tone_both_ways(channels: int) -> void:
	var v = Common.new()
	v.pair()
	var a := v.pc(v.ia)
	var b := v.pc(v.ib)
	var rate := AudioServer.get_mix_rate()
	var right := 660.0 if channels == 2 else 440.0
	var ta = a.add_audio_track({"channels": channels})
	var tb = b.add_audio_track({"channels": channels})
	a.create_data_channel("data")
	check_eq(a.create_offer(), OK, "create_offer")
	var both := func(): return v.arrived[v.ia].size() == 1 and v.arrived[v.ib].size() == 1
	if not check(await wait_until(both, [v], 15), "both tracks arrive"):
		return
	check(is_same(v.arrived[v.ia][0], ta), "a hears b on the track a added")
	check(is_same(v.arrived[v.ib][0], tb), "b hears a on the track b added")
	# Distinct levels: each side must hear the other's, not its own.
	v.speak(v.ia, ta, Tone.new(rate, 440, right, 0.5))
	v.speak(v.ib, tb, Tone.new(rate, 440, right, 0.25))
	var end := Time.get_ticks_msec() + int(SECONDS * 1000)
	var pushed_ok := true
	while Time.get_ticks_msec() < end:
		pushed_ok = v.step() and pushed_ok
		await process_frame
	check(pushed_ok, "every push_frames returned OK")
	var fr := right if channels == 2 else 0.0
	for h in [v.heard(v.ib, 440, fr, 0.5, SECONDS / 2), v.heard(v.ia, 440, fr, 0.25, SECONDS / 2)]:
		print("VOICE %s %s" % ["stereo" if channels == 2 else "mono", h[1]])
		check(h[0], h[1])
	var s: Dictionary = ta.get_stats()
	print("VOICE a's track: ", s)
	check_eq(s.channels_sent, channels, "channels sent")
	check_eq(s.channels_received, channels, "channels received")
	check_eq(s.direction, "sendrecv", "direction")
	check(s.packets_received > SECONDS * 25, "packets received")
	check_eq(v.relay.signals_outside_poll, 0, "signals only from poll()")
	check_eq(v.relay.signals_on_other_thread, 0, "signals only on the polling thread")
	a.close()
	b.close()


func test_tone_both_ways_mono() -> void:
	await _tone_both_ways(1)


func test_tone_both_ways_stereo() -> void:
	await _tone_both_ways(2)


func test_track_added_to_a_connected_peer() -> void:
	var v = Common.new()
	v.pair()
	var a := v.pc(v.ia)
	var b := v.pc(v.ib)
	var ach := a.create_data_channel("echo")
	a.create_offer()
	var open := func(): return ach.get_ready_state() == WebRTCDataChannel.STATE_OPEN and v.relay.received[v.ib].size() == 1
	if not check(await wait_until(open, [v], 15), "data channel open"):
		return
	var bch: WebRTCDataChannel = v.relay.received[v.ib][0]
	# The channel echoes a counter every frame from now on.
	var counters := {"sent": 0, "echoed": 0, "misordered": 0}
	var echo := func():
		while bch.get_available_packet_count() > 0:
			bch.put_packet(bch.get_packet())
		while ach.get_available_packet_count() > 0:
			if ach.get_packet().get_string_from_ascii() != str(counters.echoed):
				counters.misordered += 1
			counters.echoed += 1
		ach.put_packet(str(counters.sent).to_ascii_buffer())
		counters.sent += 1
		return v.step()
	var run := func(cond: Callable, timeout_ms: int) -> bool:
		var deadline := Time.get_ticks_msec() + timeout_ms
		while not cond.call():
			if Time.get_ticks_msec() > deadline:
				return false
			echo.call()
			await process_frame
		return true

	var rate := AudioServer.get_mix_rate()
	var ta = (a as WebRTCGoPeerConnection).add_audio_track()
	check_eq(a.create_offer(), OK, "create_offer renegotiates")
	check(await run.call(func(): return v.arrived[v.ib].size() == 1, 10000), "b receives a's track")
	var tr: WebRTCGoAudioTrack = v.arrived[v.ib][0]
	print("PUSH ON RECEIVED BEGIN")
	check_eq(tr.push_frames(PackedVector2Array([Vector2()])), ERR_UNCONFIGURED, "b's received track only receives")
	print("PUSH ON RECEIVED END")
	# b adds its own: it takes the transceiver a's audio arrived on.
	var tb = b.add_audio_track()
	check(is_same(tb, tr), "b's new track is the one it received")
	check_eq(b.create_offer(), OK, "b renegotiates")
	check(await run.call(func(): return v.arrived[v.ia].size() == 1, 10000), "a receives b's track")
	check(v.arrived[v.ia].size() == 1 and is_same(v.arrived[v.ia][0], ta), "a hears b on the track a added")
	v.speak(v.ia, ta, Tone.new(rate, 440, 440, 0.5))
	v.speak(v.ib, tb, Tone.new(rate, 440, 440, 0.25))
	var end := Time.get_ticks_msec() + int(SECONDS * 1000)
	await run.call(func(): return Time.get_ticks_msec() > end, int(SECONDS * 1000) + 1000)
	for h in [v.heard(v.ib, 440, 0, 0.5, SECONDS / 2), v.heard(v.ia, 440, 0, 0.25, SECONDS / 2)]:
		print("VOICE renegotiated %s" % h[1])
		check(h[0], h[1])
	var before: int = counters.echoed
	await run.call(func(): return counters.echoed >= before + 10, 5000)
	print("VOICE echo: %d messages sent, %d echoed, %d out of order" % [counters.sent, counters.echoed, counters.misordered])
	check(counters.echoed >= before + 10, "the channel still echoes")
	check(counters.sent - counters.echoed < 30, "echoes keep up with the messages sent")
	check_eq(counters.misordered, 0, "echoes in order")
	check_eq(a.get_stats().tracks.size(), 1, "one audio section carries both directions")
	check_eq(a.get_connection_state(), WebRTCPeerConnection.STATE_CONNECTED, "still connected")
	a.close()
	b.close()
