# A tone each way between two connections that reach each other only through
# the test TURN relay, which drops 5 % of what it relays (voice_test.go starts
# it): the audio keeps flowing, lost packets concealed. Environment: TURN_URL,
# TURN_PASSWORD.
extends "res://harness.gd"

const Common = preload("res://voice_common.gd")
const Tone = preload("res://tone.gd")

const SECONDS := 4.0


func test_tone_through_a_lossy_relay() -> void:
	var config := {
		"iceServers": [{"urls": [OS.get_environment("TURN_URL")], "username": "player", "credential": OS.get_environment("TURN_PASSWORD")}],
		"iceTransportPolicy": "relay",
	}
	var v = Common.new()
	v.pair(config)
	var a := v.pc(v.ia)
	var b := v.pc(v.ib)
	var rate := AudioServer.get_mix_rate()
	var ta = a.add_audio_track()
	var tb = b.add_audio_track()
	a.create_offer()
	var both := func(): return v.arrived[v.ia].size() == 1 and v.arrived[v.ib].size() == 1
	if not check(await wait_until(both, [v], 30), "both tracks arrive through the relay"):
		return
	v.speak(v.ia, ta, Tone.new(rate, 440, 440, 0.5))
	v.speak(v.ib, tb, Tone.new(rate, 440, 440, 0.25))
	var end := Time.get_ticks_msec() + int(SECONDS * 1000)
	while Time.get_ticks_msec() < end:
		v.step()
		await process_frame
	# Let what is in flight arrive.
	var settle := Time.get_ticks_msec() + 300
	while Time.get_ticks_msec() < settle:
		v.relay.poll()
		for i in v.arrived:
			for t in v.arrived[i]:
				v.received[i].append_array(t.get_frames(t.get_available_frames()))
		await process_frame
	for pair in [[v.ib, 0.5, ta], [v.ia, 0.25, tb]]:
		var h = v.heard(pair[0], 440, 0, pair[1], SECONDS * 0.75)
		print("VOICE loss %s" % h[1])
		check(h[0], h[1])
		var s: Dictionary = v.arrived[pair[0]][0].get_stats()
		print("VOICE loss stats of peer %d: packets_received %d, packets_lost %d, concealed_frames %d, jitter_buffer_delay %.3f s" % [
			pair[0], s.packets_received, s.packets_lost, s.concealed_frames, s.jitter_buffer_delay])
		check(s.packets_lost > 0, "the relay lost packets of peer %d's stream" % pair[0])
		check(s.concealed_frames > 0, "lost packets were concealed")
	a.close()
	b.close()
