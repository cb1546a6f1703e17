# The Godot side of the interop matrix. Joins the signaling room first (id 1);
# the remote echo peer (tests/peers) joins second. Environment:
#   SIGNALING_URL  ws://.../room
#   OFFERER        "godot" or "remote"
#   ICE_CONFIG     optional JSON for initialize() (TURN tests)
# It prints how long connecting took and the selected candidate pair.
extends "res://harness.gd"

const Signaling = preload("res://signaling_client.gd")
const NEGOTIATED := [
	["neg-reliable", {"id": 10}],
	["neg-unordered", {"id": 11, "ordered": false}],
	["neg-rtx0", {"id": 12, "ordered": false, "maxRetransmits": 0}],
	["neg-lifetime", {"id": 13, "maxPacketLifetime": 1000}], # WebRTCMultiplayerPeer's spelling
]
const IN_BAND := [
	["godot-reliable", {}],
	["godot-unordered", {"ordered": false}],
	["godot-rtx0", {"ordered": false, "maxRetransmits": 0}],
	["godot-lifetime", {"maxPacketLifeTime": 1000}],
]

var signaling = Signaling.new()
var pc := WebRTCPeerConnection.new()
var channels := {} # label -> WebRTCDataChannel
var control: WebRTCDataChannel
var events: Array = [] # JSON events from the remote's control channel
var remote_max := 65536
var remote_mdns := 0 # .local host candidates the remote sent (in trickle or in its SDP)
var poller := Poller.new(self)
var connected := false # later tests give up at once without a connection


class Poller:
	var t
	func _init(owner) -> void:
		t = owner
	func poll() -> void:
		t.signaling.poll()
		t.pc.poll()
		if t.control != null:
			while t.control.get_available_packet_count() > 0:
				var ev = JSON.parse_string(t.control.get_packet().get_string_from_utf8())
				if ev is Dictionary:
					t.events.append(ev)


func _on_message(_from: int, msg: Dictionary) -> void:
	match msg.type:
		"offer", "answer":
			remote_mdns += msg.sdp.count(".local ")
			check_eq(pc.set_remote_description(msg.type, msg.sdp), OK, "set_remote_description(%s)" % msg.type)
		"candidate":
			if ".local " in msg.name:
				remote_mdns += 1
			if OS.get_environment("DEBUG_CANDIDATES") != "":
				print("remote candidate: ", msg.name)
			check_eq(pc.add_ice_candidate(msg.media, int(msg.index), msg.name), OK, "add_ice_candidate " + msg.name)


func _on_description(type: String, sdp: String) -> void:
	check_eq(pc.set_local_description(type, sdp), OK, "set_local_description")
	signaling.send(2, {"type": type, "sdp": sdp})


func _on_candidate(media: String, index: int, name: String) -> void:
	if OS.get_environment("DEBUG_CANDIDATES") != "":
		print("local candidate: ", name)
	signaling.send(2, {"type": "candidate", "media": media, "index": index, "name": name})


func _on_channel(ch: WebRTCDataChannel) -> void:
	channels[ch.get_label()] = ch
	if ch.get_label() == "control":
		control = ch


func is_open(label: String) -> bool:
	return channels.has(label) and channels[label].get_ready_state() == WebRTCDataChannel.STATE_OPEN


func command(cmd: Dictionary) -> void:
	control.set_write_mode(WebRTCDataChannel.WRITE_MODE_TEXT)
	control.put_packet(JSON.stringify(cmd).to_utf8_buffer())


func has_event(kind: String, label := "") -> bool:
	return events.any(func(e): return e.get("event") == kind and (label == "" or e.get("label") == label))


## Sends payload on the channel and waits for the echo; checks it is intact.
## On a partially reliable channel (maxRetransmits, lifetime) a message, above
## all a large one of many SCTP chunks, may legitimately be lost on the way out
## or back: it is sent again (up to 5 times), and whatever arrives must match.
func echo(label: String, payload: PackedByteArray, text: bool) -> bool:
	var ch: WebRTCDataChannel = channels[label]
	var lossy := ch.get_max_retransmits() != 65535 or ch.get_max_packet_life_time() != 65535
	var want := sha256(payload)
	ch.set_write_mode(WebRTCDataChannel.WRITE_MODE_TEXT if text else WebRTCDataChannel.WRITE_MODE_BINARY)
	for attempt in (5 if lossy else 1):
		if not check_eq(ch.put_packet(payload), OK, "put %d bytes on %s" % [payload.size(), label]):
			return false
		var deadline := Time.get_ticks_msec() + (3000 if lossy else 10000)
		while Time.get_ticks_msec() < deadline:
			poller.poll()
			while ch.get_available_packet_count() > 0:
				var got := ch.get_packet()
				if got.size() == payload.size() and sha256(got) == want:
					return check_eq(ch.was_string_packet(), text, "text flag of the echo on " + label)
				if not lossy:
					return check(false, "echo of %d bytes on %s intact (got %d bytes)" % [payload.size(), label, got.size()])
				# On a lossy channel, a late echo of an earlier message may come first.
			await process_frame
	return check(false, "echo of %d bytes on %s" % [payload.size(), label])


func sha256(data: PackedByteArray) -> PackedByteArray:
	var ctx := HashingContext.new()
	ctx.start(HashingContext.HASH_SHA256)
	ctx.update(data)
	return ctx.finish()


func payloads(text: bool) -> Array:
	var out := []
	for n in [1, 1000, 16384, 65535, remote_max]:
		var p := PackedByteArray()
		if text:
			p = ("é" + "x".repeat(n)).to_utf8_buffer().slice(0, n)
			p[n - 1] = 0x41 # keep it valid UTF-8 after slicing
		else:
			p.resize(n)
			for i in range(0, n, 97):
				p[i] = i % 251
		out.append(p)
	return out


func test_connects() -> void:
	signaling.message.connect(_on_message)
	pc.session_description_created.connect(_on_description)
	pc.ice_candidate_created.connect(_on_candidate)
	pc.data_channel_received.connect(_on_channel)
	var config = JSON.parse_string(OS.get_environment("ICE_CONFIG")) if OS.get_environment("ICE_CONFIG") != "" else {}
	check_eq(pc.initialize(config), OK, "initialize")
	for n in NEGOTIATED:
		var opts: Dictionary = n[1].duplicate()
		opts["negotiated"] = true
		channels[n[0]] = pc.create_data_channel(n[0], opts)
	check_eq(signaling.connect_to(OS.get_environment("SIGNALING_URL")), OK, "signaling")
	var joined := [false]
	signaling.peer_joined.connect(func(_id): joined[0] = true)
	if not check(await wait_until(func(): return joined[0], [poller], 60), "remote peer joined the room"):
		return
	print("offerer: ", OS.get_environment("OFFERER"))
	var started := Time.get_ticks_msec()
	if OS.get_environment("OFFERER") == "godot":
		control = pc.create_data_channel("control")
		channels["control"] = control
		check_eq(pc.create_offer(), OK, "create_offer")
	var ok: bool = await wait_until(func(): return pc.get_connection_state() == WebRTCPeerConnection.STATE_CONNECTED \
		and control != null and control.get_ready_state() == WebRTCDataChannel.STATE_OPEN, [poller], 30)
	if not check(ok, "connected with the control channel open"):
		return
	connected = true
	print("connected in %d ms" % (Time.get_ticks_msec() - started))
	print("selected pair: ", JSON.stringify(pc.get_stats().selected_pair))
	command({"cmd": "hello"})
	if check(await wait_until(func(): return has_event("hello"), [poller], 10), "remote says hello"):
		var hello = events.filter(func(e): return e.get("event") == "hello")[0]
		remote_max = int(hello.maxMessageSize)
		print("remote: %s, max message size %d" % [hello.agent, remote_max])
	print("remote .local candidates: %d" % remote_mdns)


func test_negotiated_channels_echo_text_and_binary() -> void:
	if not check(connected, "connected"):
		return
	if not check(await wait_until(func(): return NEGOTIATED.all(func(n): return is_open(n[0])), [poller], 10), "negotiated channels open"):
		return
	check_eq(channels["neg-lifetime"].get_max_packet_life_time(), 1000, "maxPacketLifetime honoured")
	for n in NEGOTIATED:
		for text in [false, true]:
			for p in payloads(text):
				await echo(n[0], p, text)
	await probe_negotiated_ids(OS.get_environment("PROBE_NEGOTIATED_IDS").split(",", false))


## Stream ids a remote may not open (PROBE_NEGOTIATED_IDS, comma-separated):
## each gets a negotiated channel on both sides and a message, sent again every
## half second (the remote creates its side when the command arrives) until
## it comes back or 3 s pass. The ids whose echo came back are printed for the
## Go side to judge; whatever the remote does with the others, this connection
## must stay up.
func probe_negotiated_ids(ids: PackedStringArray) -> void:
	if ids.is_empty():
		return
	for id in ids:
		var label := "probe-" + id
		var opts := {"negotiated": true, "id": int(id)}
		channels[label] = pc.create_data_channel(label, opts)
		command({"cmd": "open", "label": label, "opts": opts})
	if not check(await wait_until(func(): return Array(ids).all(func(id): return is_open("probe-" + id)), [poller], 5), "probe channels open here"):
		return
	var echoed: Array[int] = []
	var deadline := Time.get_ticks_msec() + 3000
	var resend := 0
	while echoed.size() < ids.size() and Time.get_ticks_msec() < deadline:
		if Time.get_ticks_msec() >= resend:
			resend = Time.get_ticks_msec() + 500
			for id in ids:
				if not echoed.has(int(id)):
					channels["probe-" + id].put_packet(id.to_utf8_buffer())
		poller.poll()
		for id in ids:
			var ch: WebRTCDataChannel = channels["probe-" + id]
			while ch.get_available_packet_count() > 0:
				if ch.get_packet().get_string_from_utf8() == id and not echoed.has(int(id)):
					echoed.append(int(id))
		await process_frame
	echoed.sort()
	print("negotiated ids echoed: ", echoed)
	check_eq(pc.get_connection_state(), WebRTCPeerConnection.STATE_CONNECTED, "connected after the probe")


func test_godot_in_band_channels_reach_remote() -> void:
	if not check(connected, "connected"):
		return
	for c in IN_BAND:
		channels[c[0]] = pc.create_data_channel(c[0], c[1])
	if not check(await wait_until(func(): return IN_BAND.all(func(c): return is_open(c[0])), [poller], 15), "in-band channels open"):
		return
	for c in IN_BAND:
		await echo(c[0], ("hello over %s" % c[0]).to_utf8_buffer(), true)
		await echo(c[0], PackedByteArray([0, 255, 1, 254]), false)


func test_remote_in_band_channel_reaches_godot() -> void:
	if not check(connected, "connected"):
		return
	command({"cmd": "open", "label": "remote-unordered", "opts": {"ordered": false}})
	if not check(await wait_until(func(): return is_open("remote-unordered"), [poller], 15), "data_channel_received from the remote"):
		return
	check(not channels["remote-unordered"].is_ordered(), "remote channel is unordered")
	await echo("remote-unordered", "from godot".to_utf8_buffer(), true)


func test_thousand_ordered_messages() -> void:
	if not check(connected, "connected"):
		return
	var ch: WebRTCDataChannel = channels["neg-reliable"]
	ch.set_write_mode(WebRTCDataChannel.WRITE_MODE_TEXT)
	for i in 1000:
		ch.put_packet(("%d" % i).to_utf8_buffer())
	var seen := 0
	var in_order := true
	var deadline := Time.get_ticks_msec() + 20000
	while seen < 1000 and Time.get_ticks_msec() < deadline:
		poller.poll()
		while ch.get_available_packet_count() > 0:
			if ch.get_packet().get_string_from_utf8() != "%d" % seen:
				in_order = false
			seen += 1
		await process_frame
	check_eq(seen, 1000, "echoes received")
	check(in_order, "in order")


func test_close_from_either_side() -> void:
	if not check(connected, "connected"):
		return
	channels["godot-reliable"].close()
	check(await wait_until(func(): return has_event("closed", "godot-reliable"), [poller], 15), "remote sees Godot's close")
	command({"cmd": "close", "label": "remote-unordered"})
	check(await wait_until(func(): return channels["remote-unordered"].get_ready_state() == WebRTCDataChannel.STATE_CLOSED, [poller], 15), "Godot sees the remote's close")
	command({"cmd": "bye"})
	check(await wait_until(func(): return pc.get_connection_state() != WebRTCPeerConnection.STATE_CONNECTED, [poller], 40), "connection leaves CONNECTED when the remote closes")
	pc.close()
