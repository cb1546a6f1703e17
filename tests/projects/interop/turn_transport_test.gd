# Relay-only connections through TURN servers, one case after another: both
# peers use the case's ICE configuration, connect (a offers, so it is ICE's
# controlling side), move data both ways on a reliable channel, and report the
# transport each peer's selected relay candidate uses to reach its TURN server
# (the test judges it). Environment, set by the test:
#   TURN_CASES  JSON Array of {name, config}: config is the Dictionary for initialize()
# Each case prints "TURN CASE <name>: connected in <ms> ms, relay <a> <b>, ...".
extends "res://harness.gd"

const Relay = preload("res://relay.gd")
const MESSAGES := 16
const MESSAGE_SIZE := 65536


func test_cases() -> void:
	for c in JSON.parse_string(OS.get_environment("TURN_CASES")):
		await run_case(c)


func run_case(c: Dictionary) -> void:
	var r = Relay.new()
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	check_eq(a.initialize(c.config), OK, "%s: initialize a" % c.name)
	check_eq(b.initialize(c.config), OK, "%s: initialize b" % c.name)
	r.link(r.add(a), r.add(b))
	var ca := a.create_data_channel("data", {"negotiated": true, "id": 1})
	var cb := b.create_data_channel("data", {"negotiated": true, "id": 1})
	var started := Time.get_ticks_msec()
	a.create_offer()
	var open := func(): return a.get_connection_state() == WebRTCPeerConnection.STATE_CONNECTED \
		and b.get_connection_state() == WebRTCPeerConnection.STATE_CONNECTED \
		and ca.get_ready_state() == WebRTCDataChannel.STATE_OPEN and cb.get_ready_state() == WebRTCDataChannel.STATE_OPEN
	if not check(await wait_until(open, [r], 30), "%s: connected with the channel open" % c.name):
		a.close()
		b.close()
		return
	var connect_ms := Time.get_ticks_msec() - started
	var moved := [await transfer(ca, cb, [r], "%s a->b" % c.name), await transfer(cb, ca, [r], "%s b->a" % c.name)]
	var pa: Dictionary = a.get_stats().selected_pair
	var pb: Dictionary = b.get_stats().selected_pair
	print("TURN CASE %s: connected in %d ms, relay %s %s, %d and %d bytes moved, selected pair %s" % [
		c.name, connect_ms, pa.local.relay_protocol, pb.local.relay_protocol, moved[0], moved[1], JSON.stringify(pa)])
	for p in [pa, pb]:
		check_eq(p.local.type, "relay", "%s: the selected local candidate is a relay" % c.name)
	a.close()
	b.close()


## Sends MESSAGES binary messages of MESSAGE_SIZE bytes from one channel to
## the other and checks that each arrives whole and in order; returns the
## bytes received.
func transfer(from: WebRTCDataChannel, to: WebRTCDataChannel, pollers: Array, what: String) -> int:
	from.set_write_mode(WebRTCDataChannel.WRITE_MODE_BINARY)
	var msg := PackedByteArray()
	msg.resize(MESSAGE_SIZE)
	for i in MESSAGES:
		msg.fill(i)
		check_eq(from.put_packet(msg), OK, "%s: put message %d" % [what, i])
	var got := 0
	var bytes := 0
	var deadline := Time.get_ticks_msec() + 20000
	while got < MESSAGES and Time.get_ticks_msec() < deadline:
		for p in pollers:
			p.poll()
		while to.get_available_packet_count() > 0:
			var m := to.get_packet()
			if not check(m.size() == MESSAGE_SIZE and m[0] == got and m[MESSAGE_SIZE - 1] == got, "%s: message %d whole and in order" % [what, got]):
				return bytes
			got += 1
			bytes += m.size()
		await process_frame
	check_eq(got, MESSAGES, "%s: messages received" % what)
	return bytes
