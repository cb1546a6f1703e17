# Run with WEBRTC_GO_TEST_PANIC=_create_offer: the Go implementation of
# create_offer panics. The panic must be recovered, printed, and turned into
# FAILED, and the game must go on.
extends "res://harness.gd"


func test_panic_becomes_failed() -> void:
	var pc := WebRTCPeerConnection.new()
	check(pc.create_data_channel("c") != null, "other calls work")
	check_eq(pc.create_offer(), FAILED, "create_offer panicked")
	check_eq(pc.create_offer(), FAILED, "and again")
	check_eq(pc.get_connection_state(), WebRTCPeerConnection.STATE_NEW, "the connection is still usable")
	pc.close()
	check_eq(pc.get_connection_state(), WebRTCPeerConnection.STATE_CLOSED, "close works")
