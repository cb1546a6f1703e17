# TURN servers that must refuse a relay-only connection: each connection must
# reach FAILED (not hang) without gathering a relay candidate, and the refusal
# must be reported through error_occurred (and printed by the extension through
# Godot's error printer) without the credential. Environment, set by the test:
#   TURN_CASES  JSON Array of {name, urls, username, credential, expect}, where
#               expect is a text error_occurred must contain; all cases run at once
#   TURN_URL    without TURN_CASES: one server that refuses "wrong-password-1234"
extends "res://harness.gd"

const Relay = preload("res://relay.gd")


func cases() -> Array:
	if OS.get_environment("TURN_CASES") != "":
		return JSON.parse_string(OS.get_environment("TURN_CASES"))
	return [{"name": "wrong password", "urls": OS.get_environment("TURN_URL"), "username": "player",
		"credential": "wrong-password-1234", "expect": "allocate"}]


func test_refused_servers_fail() -> void:
	var r = Relay.new()
	var runs := [] # [case, a, index of a in r, errors]
	for c in cases():
		var config := {
			"iceServers": [{"urls": c.urls, "username": c.username, "credential": c.credential}],
			"iceTransportPolicy": "relay",
			# pion's TURN client gives up after its retransmissions (about 8 s), then
			# the refusal is printed; FAILED comes after these timeouts (15 s).
			"iceDisconnectedTimeout": 5,
			"iceFailedTimeout": 10,
		}
		var a := WebRTCPeerConnection.new()
		var b := WebRTCPeerConnection.new()
		check_eq(a.initialize(config), OK, "%s: initialize with TURN" % c.name)
		check_eq(b.initialize({}), OK, "%s: initialize b" % c.name)
		var ia: int = r.add(a)
		r.link(ia, r.add(b))
		var errors: Array = []
		a.connect("error_occurred", func(code, message): errors.append([code, message]))
		a.create_data_channel("c")
		a.create_offer()
		runs.append([c, a, ia, errors])
	var all_failed := func(): return runs.all(func(run): return run[1].get_connection_state() == WebRTCPeerConnection.STATE_FAILED)
	check(await wait_until(all_failed, [r], 40), "every connection FAILED")
	for run in runs:
		var c: Dictionary = run[0]
		var errors: Array = run[3]
		print("%s: state %d, error_occurred %s" % [c.name, run[1].get_connection_state(), str(errors)])
		check_eq(run[1].get_connection_state(), WebRTCPeerConnection.STATE_FAILED, "%s: FAILED" % c.name)
		check_eq(r.candidates[run[2]].size(), 0, "%s: no relay candidate was gathered" % c.name)
		check(errors.any(func(e): return e[0] == ERR_CANT_CONNECT and c.expect in e[1]),
			"%s: error_occurred reports the refusal (%s): %s" % [c.name, c.expect, str(errors)])
		check(not errors.any(func(e): return c.credential in e[1]), "%s: no credential in error_occurred" % c.name)
