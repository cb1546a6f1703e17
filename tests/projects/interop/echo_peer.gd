# Godot (with this extension) as the interop echo peer, in a second process:
# the protocol of tests/peers/echo_peer.js. Environment: SIGNALING_URL,
# ROLE ("offer" or "answer"), ICE_CONFIG (optional JSON for initialize(),
# as on the side under test). Godot cannot send a complete SDP (it has no
# local description getter), so it always trickles.
extends SceneTree

const Signaling = preload("res://signaling_client.gd")
const NEGOTIATED := [
	["neg-reliable", {"id": 10}],
	["neg-unordered", {"id": 11, "ordered": false}],
	["neg-rtx0", {"id": 12, "ordered": false, "maxRetransmits": 0}],
	["neg-lifetime", {"id": 13, "maxPacketLifeTime": 1000}],
]

var signaling = Signaling.new()
var pc := WebRTCPeerConnection.new()
var channels := {} # label -> WebRTCDataChannel
var was_open := {} # label -> true once open
var control: WebRTCDataChannel
var finish_at := -1
var deadline := Time.get_ticks_msec() + 120000


func _initialize() -> void:
	signaling.welcomed.connect(_on_welcomed)
	signaling.message.connect(_on_message)
	signaling.connect_to(OS.get_environment("SIGNALING_URL"))
	pc.session_description_created.connect(func(type, sdp):
		pc.set_local_description(type, sdp)
		signaling.send(1, {"type": type, "sdp": sdp}))
	pc.ice_candidate_created.connect(func(media, index, name):
		signaling.send(1, {"type": "candidate", "media": media, "index": index, "name": name}))
	pc.data_channel_received.connect(_wire)


func _wire(ch: WebRTCDataChannel) -> void:
	channels[ch.get_label()] = ch
	if ch.get_label() == "control":
		control = ch


func _on_welcomed(id: int, _peers: Array) -> void:
	if id == 1:
		print("[godot] the Godot side under test must join first")
		quit(1)
		return
	var config = JSON.parse_string(OS.get_environment("ICE_CONFIG")) if OS.get_environment("ICE_CONFIG") != "" else {}
	pc.initialize(config)
	for n in NEGOTIATED:
		var opts: Dictionary = n[1].duplicate()
		opts["negotiated"] = true
		_wire(pc.create_data_channel(n[0], opts))
	if OS.get_environment("ROLE") == "offer":
		_wire(pc.create_data_channel("control"))
		pc.create_offer()


func _on_message(_from: int, msg: Dictionary) -> void:
	match msg.type:
		"offer", "answer":
			pc.set_remote_description(msg.type, msg.sdp)
		"candidate":
			pc.add_ice_candidate(msg.media, int(msg.index), msg.name)


func tell(msg: Dictionary) -> void:
	control.set_write_mode(WebRTCDataChannel.WRITE_MODE_TEXT)
	control.put_packet(JSON.stringify(msg).to_utf8_buffer())


func _on_control(cmd: Dictionary) -> void:
	print("[godot] control: ", JSON.stringify(cmd))
	match cmd.cmd:
		"hello":
			tell({"event": "hello", "agent": "Godot %s with godot-webrtc-go" % Engine.get_version_info().string, "maxMessageSize": 262144})
		"open":
			_wire(pc.create_data_channel(cmd.label, cmd.get("opts", {})))
		"close":
			if channels.has(cmd.label):
				channels[cmd.label].close()
		"bye":
			pc.close()
			finish_at = Time.get_ticks_msec() + 200


func _process(_delta: float) -> bool:
	signaling.poll()
	pc.poll()
	for label in channels.keys():
		var ch: WebRTCDataChannel = channels[label]
		var state := ch.get_ready_state()
		if state == WebRTCDataChannel.STATE_OPEN:
			was_open[label] = true
		elif state == WebRTCDataChannel.STATE_CLOSED and was_open.get(label, false) and label != "control":
			was_open[label] = false
			tell({"event": "closed", "label": label})
		while ch.get_available_packet_count() > 0:
			var data := ch.get_packet()
			if ch == control:
				_on_control(JSON.parse_string(data.get_string_from_utf8()))
			else:
				ch.set_write_mode(WebRTCDataChannel.WRITE_MODE_TEXT if ch.was_string_packet() else WebRTCDataChannel.WRITE_MODE_BINARY)
				ch.put_packet(data)
	if finish_at >= 0 and Time.get_ticks_msec() > finish_at:
		print("[godot] finished")
		quit(0)
		return true
	if Time.get_ticks_msec() > deadline:
		print("[godot] timeout")
		quit(2)
		return true
	return false
