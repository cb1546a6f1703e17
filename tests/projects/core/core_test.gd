# Core behaviour of the extension, through Godot's own WebRTC classes.
extends "res://harness.gd"

const Relay = preload("res://relay.gd")


func connected(r, ia: int, ib: int) -> bool:
	return r.peers[ia].get_connection_state() == WebRTCPeerConnection.STATE_CONNECTED \
		and r.peers[ib].get_connection_state() == WebRTCPeerConnection.STATE_CONNECTED


func open(ch: WebRTCDataChannel) -> bool:
	return ch != null and ch.get_ready_state() == WebRTCDataChannel.STATE_OPEN


func test_default_extension_is_ours() -> void:
	var pc := WebRTCPeerConnection.new()
	check_eq(pc.get_class(), "WebRTCGoPeerConnection", "WebRTCPeerConnection.new() class")
	check(pc is WebRTCPeerConnectionExtension, "extends WebRTCPeerConnectionExtension")
	check_eq(pc.get_connection_state(), WebRTCPeerConnection.STATE_NEW, "initial state")
	check_eq(pc.get_signaling_state(), WebRTCPeerConnection.SIGNALING_STATE_STABLE, "initial signaling")
	check_eq(pc.get_gathering_state(), WebRTCPeerConnection.GATHERING_STATE_NEW, "initial gathering")
	check(ClassDB.class_exists("WebRTCGoDataChannel"), "data channel class registered")


func test_in_band_channel_and_packets() -> void:
	var r = Relay.new()
	var ids: Array[int] = r.pair()
	var a: WebRTCPeerConnection = r.peers[ids[0]]
	var ch := a.create_data_channel("chat", {"protocol": "game-v1"})
	check(ch != null and ch.get_class() == "WebRTCGoDataChannel", "channel created")
	check_eq(ch.get_reference_count(), 1, "the script's variable is the only reference (dropping it frees the channel)")
	check_eq(ch.get_ready_state(), WebRTCDataChannel.STATE_CONNECTING, "new channel state")
	check_eq(a.create_offer(), OK, "create_offer")
	check_eq(a.get_signaling_state(), WebRTCPeerConnection.SIGNALING_STATE_STABLE, "offer not applied before set_local_description")
	var ok: bool = await wait_until(func(): return connected(r, ids[0], ids[1]) and r.received[ids[1]].size() == 1 \
		and open(ch) and open(r.received[ids[1]][0]), [r])
	if not check(ok, "connected with the channel open on both sides"):
		return
	var other: WebRTCDataChannel = r.received[ids[1]][0]
	check_eq(other.get_label(), "chat", "label")
	check_eq(other.get_protocol(), "game-v1", "protocol")
	check(other.is_ordered() and not other.is_negotiated(), "ordered, in-band")
	check_eq(other.get_id(), ch.get_id(), "same stream id")
	check_eq(other.get_max_retransmits(), 65535, "retransmits unset")
	check_eq(r.signals_outside_poll, 0, "signals emitted outside poll()")
	check_eq(r.signals_on_other_thread, 0, "signals emitted on another thread")
	check(r.candidates[ids[0]].size() > 0, "local candidates emitted")
	for c in r.candidates[ids[0]]:
		check_eq(c[0], "0", "candidate mid")
		check_eq(c[1], 0, "candidate m-line index")
	await wait_until(func(): return a.get_gathering_state() == WebRTCPeerConnection.GATHERING_STATE_COMPLETE, [r], 5)
	check_eq(a.get_gathering_state(), WebRTCPeerConnection.GATHERING_STATE_COMPLETE, "gathering complete")

	# Binary, then text.
	check_eq(ch.get_write_mode(), WebRTCDataChannel.WRITE_MODE_BINARY, "default write mode")
	check_eq(ch.put_packet(PackedByteArray([0, 1, 2, 255])), OK, "put binary")
	await wait_until(func(): return other.get_available_packet_count() > 0, [r], 5)
	check_eq(other.get_packet(), PackedByteArray([0, 1, 2, 255]), "binary payload")
	check(not other.was_string_packet(), "binary is not a string")
	ch.set_write_mode(WebRTCDataChannel.WRITE_MODE_TEXT)
	check_eq(ch.put_packet("héllo".to_utf8_buffer()), OK, "put text")
	await wait_until(func(): return other.get_available_packet_count() > 0, [r], 5)
	check_eq(other.get_packet().get_string_from_utf8(), "héllo", "text payload")
	check(other.was_string_packet(), "text is a string")
	ch.set_write_mode(WebRTCDataChannel.WRITE_MODE_BINARY)

	# PacketPeer helpers work on top.
	check_eq(other.put_var({"hp": 42, "pos": Vector2(1, 2)}), OK, "put_var")
	await wait_until(func(): return ch.get_available_packet_count() > 0, [r], 5)
	check_eq(ch.get_var(), {"hp": 42, "pos": Vector2(1, 2)}, "get_var")

	# Oversized packets are refused, not truncated; the maximum itself passes.
	# (get_max_packet_size is not script-visible; both sides advertise 256 KiB.)
	var max_size := 262144
	var big := PackedByteArray()
	big.resize(max_size + 1)
	check_eq(ch.put_packet(big), ERR_INVALID_PARAMETER, "oversized put_packet")
	big.resize(max_size)
	big[max_size - 1] = 7
	check_eq(ch.put_packet(big), OK, "max-size put_packet")
	await wait_until(func(): return other.get_available_packet_count() > 0, [r], 10)
	var got := other.get_packet()
	check(got.size() == max_size and got[max_size - 1] == 7, "max-size packet arrives whole")
	check_eq(other.get_available_packet_count(), 0, "nothing else arrived")

	# 1000 ordered messages arrive in order.
	for i in 1000:
		ch.put_packet(("m%d" % i).to_utf8_buffer())
	var seen := 0
	var in_order := true
	var deadline := Time.get_ticks_msec() + 15000
	while seen < 1000 and Time.get_ticks_msec() < deadline:
		r.poll()
		while other.get_available_packet_count() > 0:
			if other.get_packet().get_string_from_utf8() != "m%d" % seen:
				in_order = false
			seen += 1
		await process_frame
	check_eq(seen, 1000, "messages received")
	check(in_order, "messages in order")
	check_eq(other.get_packet(), PackedByteArray(), "get_packet on an empty queue")

	# get_stats(), this extension's own method (call it on an untyped value or
	# with call(): WebRTCPeerConnection's static type does not declare it).
	var stats: Dictionary = r.peers[ids[0]].get_stats()
	check_eq(stats.connection_state, WebRTCPeerConnection.STATE_CONNECTED, "stats: state")
	check_eq(stats.selected_pair.local.type, "host", "stats: local candidate type")
	check_eq(stats.selected_pair.remote.protocol, "udp", "stats: remote protocol")
	check(stats.selected_pair.bytes_sent > 1000 and stats.selected_pair.current_round_trip_time >= 0.0, "stats: pair counters")
	var chat: Array = stats.channels.filter(func(c): return c.label == "chat")
	check(chat.size() == 1 and chat[0].messages_sent >= 1003 and chat[0].messages_received >= 1, "stats: channel counters")


func test_negotiated_channels_with_godot_option_spellings() -> void:
	var r = Relay.new()
	var ids: Array[int] = r.pair()
	var a: WebRTCPeerConnection = r.peers[ids[0]]
	var b: WebRTCPeerConnection = r.peers[ids[1]]
	var a_rel := a.create_data_channel("reliable", {"negotiated": true, "id": 1})
	var a_life := a.create_data_channel("ordered", {"negotiated": true, "id": 2, "maxPacketLifetime": 1})
	var a_unrel := a.create_data_channel("unreliable", {"negotiated": true, "id": 3, "ordered": false, "maxRetransmits": 0})
	var b_rel := b.create_data_channel("reliable", {"negotiated": true, "id": 1})
	var b_life := b.create_data_channel("ordered", {"negotiated": true, "id": 2, "maxPacketLifeTime": 1})
	var b_unrel := b.create_data_channel("unreliable", {"negotiated": true, "id": 3, "ordered": false, "maxRetransmits": 0})
	check_eq(a_life.get_max_packet_life_time(), 1, "maxPacketLifetime (WebRTCMultiplayerPeer's spelling) honoured")
	check_eq(a_life.get_max_retransmits(), 65535, "no retransmit limit")
	check_eq(a_unrel.get_max_retransmits(), 0, "maxRetransmits")
	check(not a_unrel.is_ordered(), "unordered")
	check(a_rel.is_negotiated() and a_rel.get_id() == 1, "negotiated id")
	a.create_offer()
	var chans := [a_rel, a_life, a_unrel, b_rel, b_life, b_unrel]
	var ok: bool = await wait_until(func(): return chans.all(open), [r])
	if not check(ok, "negotiated channels open"):
		return
	check_eq(r.received[ids[0]].size() + r.received[ids[1]].size(), 0, "no in-band announcements")
	for pair in [[a_rel, b_rel], [a_life, b_life], [a_unrel, b_unrel]]:
		pair[0].put_packet(pair[0].get_label().to_utf8_buffer())
		await wait_until(func(): return pair[1].get_available_packet_count() > 0, [r], 5)
		check_eq(pair[1].get_packet().get_string_from_utf8(), pair[0].get_label(), "data on " + pair[0].get_label())


func test_channel_created_after_connecting() -> void:
	var r = Relay.new()
	var ids: Array[int] = r.pair()
	var a: WebRTCPeerConnection = r.peers[ids[0]]
	var b: WebRTCPeerConnection = r.peers[ids[1]]
	a.create_data_channel("first")
	a.create_offer()
	if not check(await wait_until(func(): return connected(r, ids[0], ids[1]), [r]), "connected"):
		return
	var late := b.create_data_channel("late", {"ordered": false})
	var ok: bool = await wait_until(func(): return r.received[ids[0]].size() == 1 and open(late) and open(r.received[ids[0]][0]), [r])
	if check(ok, "late channel announced in-band"):
		check_eq(r.received[ids[0]][0].get_label(), "late", "late label")
		check(not r.received[ids[0]][0].is_ordered(), "late channel unordered")
	check_eq(a.get_signaling_state(), WebRTCPeerConnection.SIGNALING_STATE_STABLE, "no renegotiation")


func test_unreachable_peer_raises_error_occurred() -> void:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	check(ClassDB.class_has_signal("WebRTCGoPeerConnection", "error_occurred"), "error_occurred is a signal of the class")
	check_eq(a.initialize({"iceDisconnectedTimeout": 0.5, "iceFailedTimeout": 1}), OK, "initialize with short timeouts")
	var errors: Array = []
	a.connect("error_occurred", func(code, message): errors.append([code, message]))
	# Descriptions are exchanged, but the only candidate a hears of leads nowhere
	# (an address nobody has in the test's network).
	a.session_description_created.connect(func(type, sdp): a.set_local_description(type, sdp); b.set_remote_description(type, sdp))
	b.session_description_created.connect(func(type, sdp):
		b.set_local_description(type, sdp)
		a.set_remote_description(type, sdp)
		a.add_ice_candidate("0", 0, "candidate:1 1 udp 2130706431 198.18.0.99 9 typ host"))
	a.create_data_channel("c")
	a.create_offer()
	var failed: bool = await wait_until(func(): return a.get_connection_state() == WebRTCPeerConnection.STATE_FAILED, [a, b], 30)
	check(failed, "the connection fails")
	await pump([a, b], 2)
	check(errors.size() >= 1 and errors.back()[0] == ERR_CANT_CONNECT, "error_occurred(ERR_CANT_CONNECT, ...) emitted: %s" % str(errors))
	var last: Dictionary = a.call("get_last_error")
	check_eq(last.get("code"), ERR_CANT_CONNECT, "get_last_error().code")
	check("failed" in str(last.get("message")), "get_last_error().message says why")
	a.close()
	b.close()


func test_invalid_configuration_is_refused() -> void:
	var pc := WebRTCPeerConnection.new()
	check_eq(pc.initialize({"iceServers": [{"urls": "http://example.invalid"}]}), ERR_INVALID_PARAMETER, "http: ICE URL")
	check_eq(pc.initialize({"iceServers": "stun:example.invalid"}), ERR_INVALID_PARAMETER, "iceServers not an Array")
	check_eq(pc.initialize({"iceServers": [{"urls": ["turn:example.invalid"]}]}), ERR_INVALID_PARAMETER, "TURN without credentials")
	check_eq(pc.initialize({"iceTransportPolicy": "bogus"}), ERR_INVALID_PARAMETER, "bad transport policy")
	check_eq(pc.initialize({"iceServers": [{"urls": ["stun:127.0.0.1:3478", "turns:127.0.0.1:5349?transport=tcp"],
		"username": "u", "credential": "secret-credential"}], "iceTransportPolicy": "relay"}), OK, "valid configuration")
	check_eq(pc.initialize({iceServers = [{urls = "stun:127.0.0.1"}]}), OK, "StringName keys")


func test_invalid_channel_options_return_null() -> void:
	var pc := WebRTCPeerConnection.new()
	check(pc.create_data_channel("x", {"maxPacketLifeTime": 10, "maxRetransmits": 1}) == null, "lifetime and retransmits")
	check(pc.create_data_channel("x", {"negotiated": true}) == null, "negotiated without id")
	check(pc.create_data_channel("x", {"negotiated": true, "id": 65535}) == null, "id 65535")
	check(pc.create_data_channel("x", {"negotiated": true, "id": -4}) == null, "negative id")
	check(pc.create_data_channel("x".repeat(65536)) == null, "label over 65535 bytes")
	check(pc.create_data_channel("x", {"protocol": "p".repeat(65536)}) == null, "protocol over 65535 bytes")
	check(pc.create_data_channel("x", {"ordered": "yes"}) == null, "ordered not a bool")
	check(pc.create_data_channel("ok", {}) != null, "valid channel after errors")


func test_calls_in_wrong_state_return_errors() -> void:
	var pc := WebRTCPeerConnection.new()
	check_eq(pc.add_ice_candidate("0", 0, "candidate:1 1 udp 1 198.18.0.1 5000 typ host"), OK, "candidate before remote description: kept for it")
	check_eq(pc.set_remote_description("answer", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"), ERR_UNAVAILABLE, "answer without offer")
	check_eq(pc.set_remote_description("offer", "garbage"), ERR_INVALID_DATA, "garbage SDP")
	check_eq(pc.set_remote_description("bogus", ""), ERR_INVALID_PARAMETER, "bad description type")
	check_eq(pc.set_local_description("offer", "v=0\r\nbroken"), ERR_INVALID_DATA, "garbage local SDP")
	check_eq(pc.add_ice_candidate("0", -1, ""), ERR_INVALID_PARAMETER, "negative m-line index")
	pc.close()
	check_eq(pc.get_connection_state(), WebRTCPeerConnection.STATE_CLOSED, "closed at once")
	check_eq(pc.get_signaling_state(), WebRTCPeerConnection.SIGNALING_STATE_CLOSED, "signaling closed")
	check_eq(pc.create_offer(), ERR_UNCONFIGURED, "create_offer after close")
	check(pc.create_data_channel("x") == null, "create_data_channel after close")
	check_eq(pc.poll(), OK, "poll after close")
	check_eq(pc.initialize({}), OK, "initialize after close")
	check_eq(pc.get_connection_state(), WebRTCPeerConnection.STATE_NEW, "new again")
	var orphan := WebRTCGoDataChannel.new()
	check_eq(orphan.get_ready_state(), WebRTCDataChannel.STATE_CLOSED, "script-constructed channel is closed")
	check_eq(orphan.put_packet(PackedByteArray([1])), ERR_UNCONFIGURED, "put on a script-constructed channel")


func test_close_is_immediate_and_seen_by_remote() -> void:
	var r = Relay.new()
	var ids: Array[int] = r.pair()
	var a: WebRTCPeerConnection = r.peers[ids[0]]
	var b: WebRTCPeerConnection = r.peers[ids[1]]
	var ch := a.create_data_channel("c1")
	var ch2 := a.create_data_channel("c2")
	a.create_offer()
	var ok: bool = await wait_until(func(): return r.received[ids[1]].size() == 2 and open(ch) \
		and r.received[ids[1]].all(open), [r])
	if not check(ok, "connected"):
		return
	var remote1: WebRTCDataChannel = r.received[ids[1]][0]
	ch.close()
	check_eq(ch.get_ready_state(), WebRTCDataChannel.STATE_CLOSED, "channel closed at once")
	check_eq(ch.put_packet(PackedByteArray([1])), ERR_UNCONFIGURED, "put after close")
	check(await wait_until(func(): return remote1.get_ready_state() == WebRTCDataChannel.STATE_CLOSED, [r], 10), "remote channel closes")
	a.close()
	check_eq(a.get_connection_state(), WebRTCPeerConnection.STATE_CLOSED, "connection closed at once")
	check_eq(ch2.get_ready_state(), WebRTCDataChannel.STATE_CLOSED, "its channels closed at once")
	check(await wait_until(func(): return b.get_connection_state() != WebRTCPeerConnection.STATE_CONNECTED, [r], 40), "remote leaves CONNECTED")


func test_dropped_objects_close() -> void:
	var r = Relay.new()
	var ids: Array[int] = r.pair()
	var a: WebRTCPeerConnection = r.peers[ids[0]]
	var ch := a.create_data_channel("dropped-by-remote")
	var keep := a.create_data_channel("kept")
	a.create_offer()
	var ok: bool = await wait_until(func(): return r.received[ids[1]].size() == 2 and open(ch) and open(keep), [r])
	if not check(ok, "connected"):
		return
	# The script drops the channel it received: Godot frees it and it closes.
	var dropped: int = r.received[ids[1]].find_custom(func(c): return c.get_label() == "dropped-by-remote")
	r.received[ids[1]].remove_at(dropped)
	check(await wait_until(func(): return ch.get_ready_state() == WebRTCDataChannel.STATE_CLOSED, [r], 10), "dropped received channel closes")
	check_eq(keep.get_ready_state(), WebRTCDataChannel.STATE_OPEN, "the other channel stays open")
	# Dropping the remote peer connection closes it too.
	r.received[ids[1]].clear()
	r.peers[ids[1]] = null
	check(await wait_until(func(): return keep.get_ready_state() == WebRTCDataChannel.STATE_CLOSED \
		or a.get_connection_state() != WebRTCPeerConnection.STATE_CONNECTED, [r], 40), "dropped connection closes")


func test_slow_reader_is_bounded_and_loses_nothing() -> void:
	var r = Relay.new()
	var ids: Array[int] = r.pair({"receiveBudget": 1 << 20}) # 1 MiB, not the default 8
	if not check(ids.size() == 2, "initialize() takes receiveBudget"):
		return
	var a: WebRTCPeerConnection = r.peers[ids[0]]
	var ch := a.create_data_channel("bulk")
	a.create_offer()
	if not check(await wait_until(func(): return r.received[ids[1]].size() == 1 and open(ch) and open(r.received[ids[1]][0]), [r]), "connected"):
		return
	var other: WebRTCDataChannel = r.received[ids[1]][0]
	var msg := PackedByteArray()
	msg.resize(16384)
	for i in 256: # 4 MiB, four times the receive budget
		msg[0] = i
		ch.put_packet(msg)
	var most := 0
	for f in 60:
		r.poll()
		most = max(most, other.get_available_packet_count())
		await process_frame
	check(most <= 65, "queue held within the 1 MiB budget (saw %d packets)" % most)
	check(ch.get_buffered_amount() > 0, "sender sees back-pressure")
	var seen := 0
	var in_order := true
	var deadline := Time.get_ticks_msec() + 20000
	while seen < 256 and Time.get_ticks_msec() < deadline:
		r.poll()
		while other.get_available_packet_count() > 0:
			var p := other.get_packet()
			if p.size() != 16384 or p[0] != seen % 256:
				in_order = false
			seen += 1
		await process_frame
	check_eq(seen, 256, "every packet arrives")
	check(in_order, "in order and whole")
