# Wrong TURN credentials with iceTransportPolicy "relay": the connection must
# reach FAILED (not hang) and the refusal must be printed (by the extension,
# through Godot's error printer) without the credential. TURN_URL is set by
# the test.
extends "res://harness.gd"

const Relay = preload("res://relay.gd")


func test_wrong_credentials_fail() -> void:
	var config := {
		"iceServers": [{"urls": OS.get_environment("TURN_URL"), "username": "player", "credential": "wrong-password-1234"}],
		"iceTransportPolicy": "relay",
		# pion's TURN client gives up after its retransmissions (about 8 s), then
		# the refusal is printed; FAILED comes after these timeouts (15 s).
		"iceDisconnectedTimeout": 5,
		"iceFailedTimeout": 10,
	}
	var r = Relay.new()
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	check_eq(a.initialize(config), OK, "initialize with TURN")
	check_eq(b.initialize({}), OK, "initialize b")
	r.link(r.add(a), r.add(b))
	var errors: Array = []
	a.connect("error_occurred", func(code, message): errors.append([code, message]))
	a.create_data_channel("c")
	a.create_offer()
	check(await wait_until(func(): return a.get_connection_state() == WebRTCPeerConnection.STATE_FAILED, [r], 40), "FAILED")
	check_eq(r.candidates[0].size(), 0, "no relay candidate was gathered")
	check(errors.any(func(e): return e[0] == ERR_CANT_CONNECT and "allocate" in e[1]), "error_occurred reports the TURN refusal: %s" % str(errors))
	check(not errors.any(func(e): return "wrong-password" in e[1]), "no credential in error_occurred")
