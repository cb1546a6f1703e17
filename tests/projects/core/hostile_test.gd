# Hostile sweep: every public method of WebRTCPeerConnection and
# WebRTCDataChannel called the way a game would, in every wrong state and with
# hostile arguments. Each call must return an error (null for
# create_data_channel) and print a reason through Godot's error printer; calls
# that are legal (close twice, poll after close, getters) must print nothing.
#
# Every call runs between two marker lines printed on stderr, where Godot
# prints errors too, so binding_test.go can check what each call printed:
#   HOSTILE BEGIN <n> <error|warning|quiet> <what> | <text the print must contain>
#   HOSTILE END <n>
# The last test checks that valid use still works after all this.
extends "res://harness.gd"

const Relay = preload("res://relay.gd")

## want: any result that is not OK.
const NOT_OK := -12345

var _calls := 0


## Calls f between markers and checks its result against want (an Error, null,
## NOT_OK, or a Callable that judges the result). kind says what the call must
## print: "error" (an ERROR containing expect), "warning", or "quiet" (nothing).
func hostile(kind: String, what: String, f: Callable, want, expect := "") -> Variant:
	_calls += 1
	printerr("HOSTILE BEGIN %d %s %s | %s" % [_calls, kind, what, expect])
	var got = f.call()
	printerr("HOSTILE END %d" % _calls)
	if want is Callable:
		check(want.call(got), "%s: unexpected result %s" % [what, str(got)])
	elif typeof(want) == TYPE_INT and want == NOT_OK:
		check(typeof(got) == TYPE_INT and got != OK, "%s: got %s, want an error" % [what, str(got)])
	elif want == null:
		check(got == null, "%s: got %s, want null" % [what, str(got)])
	else:
		check_eq(got, want, what)
	return got


func bad(what: String, f: Callable, want, expect: String) -> Variant:
	return hostile("error", what, f, want, expect)


func quiet(what: String, f: Callable, want) -> Variant:
	return hostile("quiet", what, f, want)


## Returns the description pc creates (create_offer, or the answer to offer).
func description_of(pc: WebRTCPeerConnection, offer := "") -> String:
	var got := []
	var on_desc := func(type: String, sdp: String): got.append(sdp)
	pc.session_description_created.connect(on_desc)
	if offer == "":
		pc.create_offer()
	else:
		pc.set_remote_description("offer", offer)
	await wait_until(func(): return got.size() > 0, [pc], 5)
	pc.session_description_created.disconnect(on_desc)
	return got[0] if got.size() > 0 else ""


func open(ch: WebRTCDataChannel) -> bool:
	return ch != null and ch.get_ready_state() == WebRTCDataChannel.STATE_OPEN


## Connects a pair with one channel; returns [relay, a, b, a_channel,
## b_channel, the descriptions b created] or [].
func connected_pair(config := {}) -> Array:
	var r = Relay.new()
	var ids: Array[int] = r.pair(config)
	var a: WebRTCPeerConnection = r.peers[ids[0]]
	var b_descriptions := []
	r.peers[ids[1]].session_description_created.connect(func(_type, sdp): b_descriptions.append(sdp))
	var ch := a.create_data_channel("hostile")
	a.create_offer()
	var ok: bool = await wait_until(func(): return r.received[ids[1]].size() == 1 and open(ch) \
		and open(r.received[ids[1]][0]), [r])
	if not check(ok, "a pair connects"):
		return []
	return [r, a, r.peers[ids[1]], ch, r.received[ids[1]][0], b_descriptions]


func test_descriptions() -> void:
	var other := WebRTCPeerConnection.new()
	other.create_data_channel("x")
	var foreign_offer := await description_of(other)
	var answerer := WebRTCPeerConnection.new()
	var foreign_answer := await description_of(answerer, foreign_offer)
	if not check(foreign_offer.begins_with("v=0") and foreign_answer.begins_with("v=0"), "descriptions of another pair"):
		return
	var pc := WebRTCPeerConnection.new()
	for f in [pc.set_remote_description, pc.set_local_description]:
		var name: String = f.get_method()
		bad(name + " type foo", f.bind("foo", foreign_offer), ERR_INVALID_PARAMETER, 'type is "foo"')
		bad(name + " empty type", f.bind("", foreign_offer), ERR_INVALID_PARAMETER, 'type is ""')
		bad(name + " type OFFER", f.bind("OFFER", foreign_offer), ERR_INVALID_PARAMETER, 'type is "OFFER"')
		bad(name + " empty SDP", f.bind("offer", ""), ERR_INVALID_DATA, "the SDP is empty")
		bad(name + " garbage SDP", f.bind("offer", "garbage\n\u0001\u00ff=="), ERR_INVALID_DATA, "cannot be parsed")
		bad(name + " 1 MiB garbage SDP", f.bind("offer", "v=0\r\n" + "x".repeat(1 << 20)), ERR_INVALID_DATA, "cannot be parsed")
	# Truncated descriptions: the ICE credentials or the fingerprint are lost.
	for cut in [8, foreign_offer.length() / 4, foreign_offer.find("a=fingerprint")]:
		bad("offer truncated to %d chars" % cut, pc.set_remote_description.bind("offer", foreign_offer.substr(0, cut)), NOT_OK, "set_remote_description")
	var fp := foreign_offer.find("a=fingerprint")
	var line_end := foreign_offer.find("\r\n", fp)
	var half_fingerprint := foreign_offer.substr(0, fp + 40) + foreign_offer.substr(line_end)
	bad("offer with a truncated fingerprint", pc.set_remote_description.bind("offer", half_fingerprint), ERR_INVALID_DATA, "is not a sha-256 digest")
	var unknown_hash := foreign_offer.substr(0, fp) + "a=fingerprint:sha-999 00:11" + foreign_offer.substr(line_end)
	bad("offer with an unknown fingerprint hash", pc.set_remote_description.bind("offer", unknown_hash), ERR_INVALID_DATA, "a=fingerprint:sha-999")
	bad("offer without a fingerprint", pc.set_remote_description.bind("offer", foreign_offer.substr(0, fp) + foreign_offer.substr(line_end + 2)), ERR_INVALID_DATA, "no a=fingerprint")
	bad("offer without ICE credentials", pc.set_remote_description.bind("offer", foreign_offer.replace("a=ice-ufrag:", "a=x-ufrag:")), ERR_INVALID_DATA, "no ICE credentials")
	bad("offer without a mid", pc.set_remote_description.bind("offer", foreign_offer.replace("a=mid:", "a=x-mid:")), ERR_INVALID_DATA, "has no a=mid")
	bad("offer whose only candidate is garbage", pc.set_remote_description.bind("offer", foreign_offer.replace("a=sctp-port", "a=candidate:1 1 udp x y z typ host\r\na=sctp-port")), ERR_INVALID_DATA, "no usable a=candidate")
	check_eq(pc.get_signaling_state(), WebRTCPeerConnection.SIGNALING_STATE_STABLE, "refused descriptions changed nothing")
	# Wrong signaling state (pc is stable, with no offer of its own).
	bad("answer without an offer", pc.set_remote_description.bind("answer", foreign_answer), ERR_UNAVAILABLE, "set_remote_description")
	bad("pranswer without an offer", pc.set_remote_description.bind("pranswer", foreign_answer), ERR_UNAVAILABLE, "set_remote_description")
	bad("remote rollback when stable", pc.set_remote_description.bind("rollback", ""), NOT_OK, "set_remote_description")
	bad("local answer when stable", pc.set_local_description.bind("answer", foreign_answer), NOT_OK, "set_local_description")
	bad("local offer we did not create", pc.set_local_description.bind("offer", foreign_offer), NOT_OK, "does not match")
	pc.create_data_channel("c")
	var own_offer := await description_of(pc)
	bad("our offer, edited", pc.set_local_description.bind("offer", own_offer + "a=x-edited:1\r\n"), NOT_OK, "does not match")
	bad("another pair's offer after create_offer", pc.set_local_description.bind("offer", foreign_offer), NOT_OK, "does not match")
	quiet("our own offer", pc.set_local_description.bind("offer", own_offer), OK)
	quiet("create_offer again with a local offer", pc.create_offer, OK)
	bad("remote offer with a local offer pending (glare)", pc.set_remote_description.bind("offer", foreign_offer), ERR_UNAVAILABLE, "set_remote_description")
	bad("local answer with a local offer", pc.set_local_description.bind("answer", foreign_answer), NOT_OK, "set_local_description")
	# The answering side: a remote offer is pending.
	var ans := WebRTCPeerConnection.new()
	var own_answer := await description_of(ans, foreign_offer)
	bad("create_offer with a remote offer pending", ans.create_offer, ERR_UNAVAILABLE, "create_offer")
	bad("local offer with a remote offer pending", ans.set_local_description.bind("offer", foreign_offer), NOT_OK, "set_local_description")
	bad("another pair's answer as ours", ans.set_local_description.bind("answer", foreign_answer), NOT_OK, "does not match")
	bad("remote answer to our own answer", ans.set_remote_description.bind("answer", own_answer), NOT_OK, "set_remote_description")
	quiet("our own answer", ans.set_local_description.bind("answer", own_answer), OK)
	bad("our answer applied twice", ans.set_local_description.bind("answer", own_answer), NOT_OK, "set_local_description")
	for p in [pc, ans, other, answerer]:
		p.close()


func test_candidates() -> void:
	var line := "candidate:1 1 udp 2130706431 198.18.0.99 9 typ host"
	var pc := WebRTCPeerConnection.new()
	quiet("candidate before the remote description (kept for it)", pc.add_ice_candidate.bind("0", 0, line), OK)
	var other := WebRTCPeerConnection.new()
	other.create_data_channel("x")
	var offer := await description_of(other)
	await description_of(pc, offer)
	bad("unknown mid", pc.add_ice_candidate.bind("nope", 0, line), ERR_INVALID_PARAMETER, 'no media section with mid "nope"')
	bad("1 MiB mid", pc.add_ice_candidate.bind("m".repeat(1 << 20), 0, line), ERR_INVALID_PARAMETER, "no media section with mid")
	bad("unknown m-line index", pc.add_ice_candidate.bind("", 3, line), ERR_INVALID_PARAMETER, "m-line index 3")
	# (Godot passes the index as a 32-bit int: 1 << 40 would arrive as 0.)
	for index in [-1, -2147483648, 65536, 2147483647]:
		bad("m-line index %d" % index, pc.add_ice_candidate.bind("0", index, line), ERR_INVALID_PARAMETER, "m-line index %d is outside" % index)
	for garbage in ["garbage", "candidate:", "candidate:1 1 udp", "candidate:1 1 udp 1 198.18.0.99 99999 typ host",
			"candidate:1 1 udp 1 198.18.0.99 9 typ bogus", "candidate:1 1 sctp 1 198.18.0.99 9 typ host",
			"candidate:1 1 udp notanumber 198.18.0.99 9 typ host", "candidate:" + "x".repeat(1 << 20)]:
		bad("garbage candidate %s" % garbage.left(40), pc.add_ice_candidate.bind("0", 0, garbage), ERR_INVALID_DATA, "invalid candidate")
	bad("candidate of another session (ufrag)", pc.add_ice_candidate.bind("0", 0, line + " ufrag notours"), ERR_INVALID_PARAMETER, 'ufrag "notours" is not the remote description')
	quiet("valid candidate", pc.add_ice_candidate.bind("0", 0, line), OK)
	quiet("valid candidate with a= prefix", pc.add_ice_candidate.bind("", 0, "a=" + line), OK)
	quiet("end of candidates", pc.add_ice_candidate.bind("0", 0, ""), OK)
	pc.close()
	other.close()


## An Array nested depth levels deep.
func nested(depth: int) -> Array:
	var outer := []
	var inner := outer
	for i in depth:
		var next := []
		inner.append(next)
		inner = next
	return outer


func test_configuration() -> void:
	var pc := WebRTCPeerConnection.new()
	var deep := nested(100)
	var itself := {}
	itself["iceServers"] = [itself]
	var huge := []
	for i in 100000:
		huge.append({"urls": "stun:127.0.0.1"})
	huge.append({"urls": 5})
	var cases := [
		["iceServers as int", {"iceServers": 5}, "iceServers must be an Array"],
		["iceServers as Dictionary", {"iceServers": {"urls": "stun:127.0.0.1"}}, "iceServers must be an Array"],
		["iceServers entry as String", {"iceServers": ["stun:127.0.0.1"]}, "iceServers[0] must be a Dictionary"],
		["urls as Dictionary", {"iceServers": [{"urls": {"a": 1}}]}, "iceServers[0].urls must be"],
		["urls entry as int", {"iceServers": [{"urls": ["stun:127.0.0.1", 7]}]}, "iceServers[0].urls[1] must be a String"],
		["urls empty", {"iceServers": [{"urls": []}]}, "urls is missing or empty"],
		["urls http:", {"iceServers": [{"urls": "http://127.0.0.1"}]}, "is not a valid stun:"],
		["username as int", {"iceServers": [{"urls": "stun:127.0.0.1", "username": 5}]}, "username must be a String"],
		["credential as Array", {"iceServers": [{"urls": "stun:127.0.0.1", "credential": ["x"]}]}, "credential must be a String"],
		["unknown key in a server", {"iceServers": [{"urls": "stun:127.0.0.1", "bogus": 1}]}, 'unknown key "bogus"'],
		["nested garbage, 100 deep", {"iceServers": deep}, "nested too deeply"],
		["a Dictionary that contains itself", itself, "nested too deeply"],
		["100001 servers, the last invalid", {"iceServers": huge}, "iceServers[100000].urls must be"],
		["Object value", {"iceServers": [{"urls": RefCounted.new()}]}, "iceServers[0].urls must be"],
		["Vector2 value", {"iceTransportPolicy": Vector2(1, 2)}, "iceTransportPolicy must be a String, not Vector2"],
		["int key", {1: 2}, "not a String"],
		["iceTransportPolicy as int", {"iceTransportPolicy": 1}, "iceTransportPolicy must be a String"],
		["iceTransportPolicy unknown", {"iceTransportPolicy": "none"}, 'iceTransportPolicy is "none"'],
		["bundlePolicy as Array", {"bundlePolicy": []}, "bundlePolicy must be a String"],
		["rtcpMuxPolicy empty", {"rtcpMuxPolicy": ""}, 'rtcpMuxPolicy is ""'],
		["iceCandidatePoolSize as String", {"iceCandidatePoolSize": "3"}, "iceCandidatePoolSize must be an int"],
		["iceCandidatePoolSize -1", {"iceCandidatePoolSize": -1}, "iceCandidatePoolSize is -1"],
		["iceCandidatePoolSize 1<<40", {"iceCandidatePoolSize": 1 << 40}, "outside 0..255"],
		["iceCandidatePoolSize 2 (pion supports 0 or 1)", {"iceCandidatePoolSize": 2}, "invalid configuration"],
		["iceFailedTimeout -1", {"iceFailedTimeout": -1}, "iceFailedTimeout is -1"],
		["iceFailedTimeout 0", {"iceFailedTimeout": 0}, "iceFailedTimeout is 0"],
		["iceFailedTimeout NAN", {"iceFailedTimeout": NAN}, "iceFailedTimeout is NaN"],
		["iceFailedTimeout INF", {"iceFailedTimeout": INF}, "iceFailedTimeout is +Inf"],
		["iceDisconnectedTimeout 1e9", {"iceDisconnectedTimeout": 1e9}, "at most 3600 seconds"],
		["iceKeepaliveInterval as String", {"iceKeepaliveInterval": "2"}, "iceKeepaliveInterval must be a number"],
		["udpMuxPort 0", {"udpMuxPort": 0}, "udpMuxPort is 0"],
		["udpMuxPort 65536", {"udpMuxPort": 65536}, "udpMuxPort is 65536"],
		["udpMuxPort 1.5", {"udpMuxPort": 1.5}, "udpMuxPort must be an integer"],
		["udpPortRange reversed", {"udpPortRange": [6000, 5000]}, "min is more than max"],
		["udpPortRange of one", {"udpPortRange": [5000]}, "udpPortRange must be an Array [min, max]"],
		["udpPortRange as String", {"udpPortRange": "5000-6000"}, "udpPortRange must be an Array [min, max]"],
		["udpPortRange from 0", {"udpPortRange": [0, 10]}, "udpPortRange[0] is 0"],
		["udpMuxPort with udpPortRange", {"udpMuxPort": 50000, "udpPortRange": [5000, 6000]}, "cannot both be set"],
		["tcpMuxPort 0", {"tcpMuxPort": 0}, "tcpMuxPort is 0"],
		["tcpMuxPort -443", {"tcpMuxPort": -443}, "tcpMuxPort is -443"],
		["tcpMuxPort 65536", {"tcpMuxPort": 65536}, "tcpMuxPort is 65536"],
		["tcpMuxPort 1.5", {"tcpMuxPort": 1.5}, "tcpMuxPort must be an integer"],
		["tcpMuxPort as String", {"tcpMuxPort": "443"}, "tcpMuxPort must be an int, not String"],
		["tcpMuxPort as Array", {"tcpMuxPort": [443]}, "tcpMuxPort must be an int, not Array"],
		["tcpMuxPort without TCP", {"tcpMuxPort": 50000, "iceNetworkTypes": ["udp"]}, "iceNetworkTypes has no TCP type"],
		["udpMuxPort without UDP", {"udpMuxPort": 50000, "iceNetworkTypes": ["tcp"]}, "iceNetworkTypes has no UDP type"],
		["iceNetworkTypes as String", {"iceNetworkTypes": "tcp"}, "iceNetworkTypes must be an Array of Strings, not String"],
		["iceNetworkTypes empty", {"iceNetworkTypes": []}, "iceNetworkTypes is empty"],
		["iceNetworkTypes unknown", {"iceNetworkTypes": ["tcp", "quic"]}, 'iceNetworkTypes[1] is "quic"'],
		["iceNetworkTypes entry as int", {"iceNetworkTypes": [6]}, "iceNetworkTypes[0] must be a String, not int"],
	]
	for c in cases:
		bad("initialize: " + c[0], pc.initialize.bind(c[1]), ERR_INVALID_PARAMETER, c[2])
		check_eq(pc.get_connection_state(), WebRTCPeerConnection.STATE_NEW, "nothing applied after " + c[0])
	itself.clear() # break the cycle
	# Credentials never appear in what is printed (binding_test.go checks the output).
	bad("initialize: bad TURN query with a credential", pc.initialize.bind({"iceServers": [{"urls": "turn:127.0.0.1?transport=carrier-pigeon",
		"username": "u", "credential": "hostile-secret-1"}]}), ERR_INVALID_PARAMETER, "iceServers[0].urls[0] is not a valid")
	bad("initialize: credential inside a malformed URL", pc.initialize.bind({"iceServers": [{"urls": "turn:u:hostile-secret-2@[::1",
		"username": "u", "credential": "c"}]}), ERR_INVALID_PARAMETER, "iceServers[0].urls[0] is not a valid")
	bad("initialize: receiveBudget under 64 KiB", pc.initialize.bind({"receiveBudget": 1000}), ERR_INVALID_PARAMETER, "receiveBudget is 1000, outside 65536..1073741824")
	var holder := TCPServer.new()
	var taken := 39300
	while holder.listen(taken) != OK:
		taken += 1
	bad("initialize: tcpMuxPort taken by another socket", pc.initialize.bind({"tcpMuxPort": taken}), ERR_ALREADY_IN_USE, "tcpMuxPort %d: cannot listen" % taken)
	check_eq(pc.get_connection_state(), WebRTCPeerConnection.STATE_NEW, "nothing applied after a taken tcpMuxPort")
	holder.stop()
	hostile("warning", "initialize: unknown keys", pc.initialize.bind({"bogus": 1, "": null}), OK, 'unknown configuration key "bogus"')
	quiet("initialize twice", pc.initialize.bind({}), OK)
	quiet("initialize with StringName keys", pc.initialize.bind({&"iceServers": [{&"urls": "stun:127.0.0.1"}]}), OK)
	pc.close()


func test_channel_options() -> void:
	var pc := WebRTCPeerConnection.new()
	var deep := nested(100)
	var cases := [
		["1 MiB label", "x".repeat(1 << 20), {}, "label is 1048576 bytes"],
		["negotiated id -1", "c", {"negotiated": true, "id": -1}, "id is -1, outside 0..65534"],
		["negotiated id 65535", "c", {"negotiated": true, "id": 65535}, "id is 65535, outside 0..65534"],
		["negotiated id 1<<40", "c", {"negotiated": true, "id": 1 << 40}, "outside 0..65534"],
		["negotiated id 1.5", "c", {"negotiated": true, "id": 1.5}, "id must be an integer"],
		["negotiated id NAN", "c", {"negotiated": true, "id": NAN}, "id must be an integer"],
		["negotiated id as String", "c", {"negotiated": true, "id": "1"}, "id must be an int"],
		["negotiated without id", "c", {"negotiated": true}, "a negotiated channel needs an id"],
		["negotiated as String", "c", {"negotiated": "yes", "id": 1}, "negotiated must be a bool"],
		["ordered as int", "c", {"ordered": 1}, "ordered must be a bool"],
		["maxRetransmits -1", "c", {"maxRetransmits": -1}, "maxRetransmits is -1"],
		["maxRetransmits 65536", "c", {"maxRetransmits": 65536}, "maxRetransmits is 65536"],
		["maxPacketLifeTime 1<<40", "c", {"maxPacketLifeTime": 1 << 40}, "maxPacketLifeTime is"],
		["both lifetime spellings, different", "c", {"maxPacketLifeTime": 1, "maxPacketLifetime": 2}, "disagree"],
		["lifetime and retransmits", "c", {"maxPacketLifeTime": 1, "maxRetransmits": 1}, "cannot both be set"],
		["1 MiB protocol", "c", {"protocol": "p".repeat(1 << 20)}, "protocol is 1048576 bytes"],
		["protocol as int", "c", {"protocol": 5}, "protocol must be a String"],
		["int key", "c", {7: true}, "not a String"],
		["nested garbage", "c", {"ordered": deep}, "nested too deeply"],
	]
	for c in cases:
		bad("create_data_channel: " + c[0], pc.create_data_channel.bind(c[1], c[2]), null, c[3])
	var first = hostile("warning", "create_data_channel: unknown option", pc.create_data_channel.bind("c", {"bogus": 1}),
		func(ch): return ch != null, 'unknown option "bogus"')
	var second = hostile("warning", "create_data_channel: id without negotiated", pc.create_data_channel.bind("c", {"id": 3}),
		func(ch): return ch != null and ch.get_id() == 65535, "id is ignored")
	var seven = quiet("negotiated id 7", pc.create_data_channel.bind("n", {"negotiated": true, "id": 7}), func(ch): return ch != null)
	bad("negotiated id 7 again", pc.create_data_channel.bind("n2", {"negotiated": true, "id": 7}), null, "id 7 is already used")
	pc.close()
	bad("create_data_channel after close", pc.create_data_channel.bind("c"), null, "closed")
	check(first != null and second != null and seven != null, "channels kept")


func test_data_channel_calls() -> void:
	# A channel that is not open yet.
	var pc := WebRTCPeerConnection.new()
	var early := pc.create_data_channel("early")
	bad("put_packet before open", early.put_packet.bind(PackedByteArray([1])), ERR_UNCONFIGURED, "not open")
	bad("get_packet on an empty queue", early.get_packet, func(pkt): return pkt == PackedByteArray() and early.get_packet_error() == ERR_UNAVAILABLE, "no packet is available")
	bad("get_var on an empty queue", early.get_var, null, "no packet is available")
	bad("set_write_mode(7)", early.call.bind("set_write_mode", 7), null, "not WRITE_MODE_TEXT or WRITE_MODE_BINARY")
	check_eq(early.get_write_mode(), WebRTCDataChannel.WRITE_MODE_BINARY, "write mode unchanged")
	pc.close()

	var p := await connected_pair()
	if p.is_empty():
		return
	var r = p[0]
	var a: WebRTCPeerConnection = p[1]
	var ch: WebRTCDataChannel = p[3]
	var other: WebRTCDataChannel = p[4]
	# Godot's PacketPeer returns OK for an empty packet without passing it on
	# (put_packet_buffer): nothing is sent. (Empty messages from a remote do
	# arrive as empty packets; the Go tests and FuzzPacketFraming cover them.)
	quiet("put_packet of 0 bytes", ch.put_packet.bind(PackedByteArray()), OK)
	ch.set_write_mode(WebRTCDataChannel.WRITE_MODE_TEXT)
	quiet("put_packet of 0 bytes as text", ch.put_packet.bind(PackedByteArray()), OK)
	ch.set_write_mode(WebRTCDataChannel.WRITE_MODE_BINARY)
	ch.put_packet(PackedByteArray([42]))
	if check(await wait_until(func(): return other.get_available_packet_count() > 0, [r], 5), "the next packet arrives"):
		check_eq(other.get_packet(), PackedByteArray([42]), "nothing empty came before it")
	var big := PackedByteArray()
	big.resize(262144 + 1)
	bad("put_packet of max+1 bytes", ch.put_packet.bind(big), ERR_INVALID_PARAMETER, "more than the maximum message size of 262144")
	big.resize(1 << 20)
	bad("put_packet of 1 MiB", ch.put_packet.bind(big), ERR_INVALID_PARAMETER, "more than the maximum message size")
	bad("put_var over the maximum", ch.put_var.bind(big), ERR_INVALID_PARAMETER, "more than the maximum message size")
	bad("get_packet on an empty open channel", other.get_packet, PackedByteArray(), "no packet is available")
	for i in 3:
		ch.put_packet(PackedByteArray([i]))
	await wait_until(func(): return other.get_available_packet_count() == 3, [r], 5)
	quiet("close", ch.close, null)
	quiet("close twice", ch.close, null)
	quiet("getters after close", func(): return [ch.get_ready_state(), ch.get_label(), ch.get_id(), ch.is_ordered(),
		ch.get_protocol(), ch.is_negotiated(), ch.get_max_packet_life_time(), ch.get_max_retransmits(),
		ch.get_buffered_amount(), ch.get_available_packet_count(), ch.was_string_packet(), ch.get_write_mode()],
		func(v): return v[0] == WebRTCDataChannel.STATE_CLOSED and v[1] == "hostile" and v[9] == 0)
	quiet("poll a closed channel", ch.poll, OK)
	bad("put_packet after close", ch.put_packet.bind(PackedByteArray([1])), ERR_UNCONFIGURED, "closed")
	bad("get_packet after close", ch.get_packet, PackedByteArray(), "no packet is available")
	await wait_until(func(): return other.get_ready_state() == WebRTCDataChannel.STATE_CLOSED, [r], 10)
	bad("put_packet on a channel the remote closed", other.put_packet.bind(PackedByteArray([1])), ERR_UNCONFIGURED, "closed")

	var ch2 := a.create_data_channel("second")
	await wait_until(func(): return open(ch2), [r], 5)
	quiet("close the connection", a.close, null)
	quiet("close the connection twice", a.close, null)
	quiet("poll after close", a.poll, OK)
	quiet("getters after close", func(): return [a.get_connection_state(), a.get_signaling_state(), a.get_gathering_state()],
		func(v): return v[0] == WebRTCPeerConnection.STATE_CLOSED and v[1] == WebRTCPeerConnection.SIGNALING_STATE_CLOSED)
	bad("create_offer after close", a.create_offer, ERR_UNCONFIGURED, "closed")
	bad("set_remote_description after close", a.set_remote_description.bind("offer", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"), ERR_UNCONFIGURED, "closed")
	bad("set_local_description after close", a.set_local_description.bind("offer", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"), ERR_UNCONFIGURED, "closed")
	bad("add_ice_candidate after close", a.add_ice_candidate.bind("0", 0, "candidate:1 1 udp 1 198.18.0.99 9 typ host"), ERR_UNCONFIGURED, "closed")
	bad("put_packet on a closed connection's channel", ch2.put_packet.bind(PackedByteArray([1])), ERR_UNCONFIGURED, "closed")
	quiet("channel state after its connection closed", ch2.get_ready_state, WebRTCDataChannel.STATE_CLOSED)

	# A channel whose connection the game dropped.
	var pc3 := WebRTCPeerConnection.new()
	var orphaned := pc3.create_data_channel("orphaned")
	pc3 = null
	bad("put_packet after the connection was freed", orphaned.put_packet.bind(PackedByteArray([1])), ERR_UNCONFIGURED, "closed")
	quiet("state after the connection was freed", orphaned.get_ready_state, WebRTCDataChannel.STATE_CLOSED)

	# A channel the script constructed itself.
	var made := WebRTCGoDataChannel.new()
	bad("put_packet on a script-made channel", made.put_packet.bind(PackedByteArray([1])), ERR_UNCONFIGURED, "not created by a peer connection")
	bad("get_packet on a script-made channel", made.get_packet, PackedByteArray(), "no packet is available")
	quiet("getters of a script-made channel", func(): return [made.get_ready_state(), made.get_label(), made.get_id(),
		made.get_available_packet_count(), made.get_buffered_amount(), made.poll()],
		[WebRTCDataChannel.STATE_CLOSED, "", 65535, 0, 0, OK])
	quiet("close a script-made channel", made.close, null)
	quiet("close a script-made channel twice", made.close, null)


func test_reentrant_calls_from_signals() -> void:
	# A game closing or re-initialising the connection from its own signal handler.
	var pc := WebRTCPeerConnection.new()
	var seen := []
	var handler := func(type, _sdp):
		seen.append(type)
		pc.close()
		pc.poll()
		pc.initialize({})
		pc.close()
	pc.session_description_created.connect(handler)
	pc.create_data_channel("c")
	pc.create_offer()
	quiet("close and initialize inside session_description_created", pc.poll, OK)
	pc.session_description_created.disconnect(handler) # the handler holds pc
	check_eq(seen, ["offer"], "one description delivered")
	check_eq(pc.get_connection_state(), WebRTCPeerConnection.STATE_CLOSED, "closed")


func test_answer_from_another_session_never_connects() -> void:
	# c-d connect; then a takes d's answer (with d's candidates) as its own
	# remote answer. The call is legal, but a must never connect to d, fail
	# with error_occurred, and c-d must keep working.
	var p := await connected_pair()
	if p.is_empty():
		return
	var r = p[0]
	var a := WebRTCPeerConnection.new()
	a.initialize({"iceDisconnectedTimeout": 0.5, "iceFailedTimeout": 1})
	a.create_data_channel("hostile")
	var errors := []
	a.connect("error_occurred", func(code, message): errors.append(code))
	var own := await description_of(a)
	a.set_local_description("offer", own)
	# d's answer to c, with d's real candidates.
	quiet("another session's answer", a.set_remote_description.bind("answer", p[5][0]), OK)
	for c in r.candidates[1]:
		a.add_ice_candidate(c[0], c[1], c[2])
	var failed: bool = await wait_until(func(): return a.get_connection_state() == WebRTCPeerConnection.STATE_FAILED, [a, r], 20)
	check(failed, "the mixed-up connection fails (state %d)" % a.get_connection_state())
	await pump([a, r], 3)
	check(errors.has(ERR_CANT_CONNECT), "error_occurred(ERR_CANT_CONNECT) emitted")
	var ch: WebRTCDataChannel = p[3]
	check_eq(ch.put_packet("still fine".to_utf8_buffer()), OK, "the real pair still sends")
	await wait_until(func(): return p[4].get_available_packet_count() > 0, [r], 5)
	check_eq(p[4].get_packet().get_string_from_utf8(), "still fine", "and delivers")
	a.close()


func test_valid_use_still_works_after_the_sweep() -> void:
	var p := await connected_pair({"iceServers": []})
	if p.is_empty():
		return
	var r = p[0]
	var ch: WebRTCDataChannel = p[3]
	var other: WebRTCDataChannel = p[4]
	var sent := []
	for size in [1, 1000, 65536, 262144]:
		var msg := PackedByteArray()
		msg.resize(size)
		for i in range(0, size, 97):
			msg[i] = (i * 7 + size) % 256
		for mode in [WebRTCDataChannel.WRITE_MODE_BINARY, WebRTCDataChannel.WRITE_MODE_TEXT]:
			ch.set_write_mode(mode)
			check_eq(ch.put_packet(msg), OK, "put %d bytes" % size)
			sent.append([msg, mode == WebRTCDataChannel.WRITE_MODE_TEXT])
	var got := []
	var deadline := Time.get_ticks_msec() + 15000
	while got.size() < sent.size() and Time.get_ticks_msec() < deadline:
		r.poll()
		while other.get_available_packet_count() > 0:
			got.append([other.get_packet(), other.was_string_packet()])
		await process_frame
	check_eq(got.size(), sent.size(), "every packet arrived")
	for i in min(got.size(), sent.size()):
		check(got[i][0] == sent[i][0] and got[i][1] == sent[i][1], "packet %d identical, flag kept" % i)
	printerr("HOSTILE CALLS %d" % _calls)
