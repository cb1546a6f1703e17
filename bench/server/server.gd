# Game server of the server benchmark (Godot column), as a dedicated server
# would be written: headless Godot at 60 frames a second, a
# WebRTCMultiplayerPeer in server mode whose peer connections all share one UDP
# port (udpMuxPort), players joining through a room of examples/signaling with
# the demo's signaling client (this server is the room's peer 1 and offers to
# each player who joins, as examples/demo/network.gd does).
#
# Each frame it polls signaling and the multiplayer peer, reads every packet
# (the loop SceneMultiplayer runs), and every second frame sends each player a
# 512-byte snapshot on the unreliable channel; each player also gets one
# reliable 1 KiB event a second. Message layouts: internal/gameload.
#
# It admits at most JOINS_PER_FRAME new players a frame, so that hundreds
# joining at once (a server restart) do not stall one frame for seconds.
#
# With read=channels it reads each player's channels itself instead of
# through the multiplayer peer, whose get_available_packet_count() asks every
# channel of every peer, once per packet read.
#
#   godot --headless --path <project> -s res://server.gd -- url=ws://... port=N [read=channels]
#
# Prints "PID <pid>" and "READY" once in the room, then every second
# STAT {"t": unix ms, "ft": [µs of each frame's work], "players": connected,
# "peers": joined or joining, "goroutines", "live", "heap", "heap_live", "gc"}
# (internal/gameload.Stat).
extends SceneTree

const Signaling = preload("res://signaling_client.gd")

const TICK_RATE := 60
const SNAPSHOT_EVERY := 2 # frames: 30 snapshots a second
const SNAPSHOT_SIZE := 512
const EVENT_SIZE := 1024
const LATE_USEC := 100000
const KIND_INPUT := 1
const KIND_EVENT := 2
const KIND_SNAPSHOT := 3
const JOINS_PER_FRAME := 4


class Player:
	var id: int
	var pc: WebRTCPeerConnection
	var inputs := 0 # read from this player
	var events := 0
	var late := 0 # events that took longer than LATE_USEC
	var snapshot_seq := 0
	var event_seq := 0
	var channels: Array = [] # the multiplayer peer's, read with read=channels


var signaling = Signaling.new()
var mp := WebRTCMultiplayerPeer.new()
var players := {} # peer id -> Player, from join to leave
var joining: Array[int] = [] # peer ids waiting to be admitted
var connected: Array[Player] = [] # every channel open
var probe := WebRTCPeerConnection.new() # only for get_stats().runtime
var port := 0
var read_channels := false
var frame := 0
var frame_times: Array[int] = []
var second_start := 0
var snapshot := PackedByteArray()
var event := PackedByteArray()


func _initialize() -> void:
	var url := ""
	for arg in OS.get_cmdline_user_args():
		if arg.begins_with("url="):
			url = arg.substr(4)
		elif arg.begins_with("port="):
			port = int(arg.substr(5))
		elif arg == "read=channels":
			read_channels = true
	Engine.max_fps = TICK_RATE
	snapshot.resize(SNAPSHOT_SIZE)
	snapshot[0] = KIND_SNAPSHOT
	event.resize(EVENT_SIZE)
	event[0] = KIND_EVENT
	mp.create_server()
	mp.peer_connected.connect(_on_peer_connected)
	mp.peer_disconnected.connect(_on_peer_disconnected)
	signaling.welcomed.connect(_on_welcomed)
	signaling.peer_joined.connect(_on_joined)
	signaling.peer_left.connect(_on_left)
	signaling.message.connect(_on_message)
	if url == "" or port == 0 or signaling.connect_to(url) != OK:
		printerr("server: usage: -- url=ws://host:port/room port=N")
		quit(2)
	print("PID ", OS.get_process_id())
	second_start = Time.get_ticks_usec()


func _on_welcomed(id: int, _peers: Array) -> void:
	if id != 1:
		printerr("server: the room already has a server")
		quit(1)
		return
	print("READY")


func _on_joined(id: int) -> void:
	joining.append(id)


func _admit(id: int) -> void:
	var p := Player.new()
	p.id = id
	p.pc = WebRTCPeerConnection.new()
	if p.pc.initialize({"udpMuxPort": port}) != OK:
		printerr("server: initialize failed")
		return
	p.pc.session_description_created.connect(_on_description.bind(id))
	p.pc.ice_candidate_created.connect(_on_candidate.bind(id))
	mp.add_peer(p.pc, id)
	players[id] = p
	p.pc.create_offer()


func _on_left(id: int) -> void:
	joining.erase(id)
	if mp.has_peer(id):
		mp.remove_peer(id)
	players.erase(id)


func _on_description(type: String, sdp: String, id: int) -> void:
	players[id].pc.set_local_description(type, sdp)
	signaling.send(id, {"type": type, "sdp": sdp})


func _on_candidate(media: String, index: int, name: String, id: int) -> void:
	signaling.send(id, {"type": "candidate", "media": media, "index": index, "name": name})


func _on_message(from: int, msg: Dictionary) -> void:
	var p: Player = players.get(from)
	if p == null:
		return
	match msg.get("type", ""):
		"answer":
			p.pc.set_remote_description("answer", msg.sdp)
		"candidate":
			p.pc.add_ice_candidate(msg.media, int(msg.index), msg.name)


func _on_peer_connected(id: int) -> void:
	var p: Player = players.get(id)
	if p != null:
		p.channels = mp.get_peer(id).channels
		connected.append(p)


func _on_peer_disconnected(id: int) -> void:
	for i in connected.size():
		if connected[i].id == id:
			connected.remove_at(i)
			return


func count(p: Player, pkt: PackedByteArray) -> void:
	if pkt.size() < 20:
		return
	if pkt[0] == KIND_INPUT:
		p.inputs += 1
	elif pkt[0] == KIND_EVENT:
		p.events += 1
		if unix_usec() - pkt.decode_s64(8) > LATE_USEC:
			p.late += 1


static func unix_usec() -> int:
	return int(Time.get_unix_time_from_system() * 1e6)


func _process(_delta: float) -> bool:
	var t0 := Time.get_ticks_usec()
	signaling.poll()
	for i in mini(JOINS_PER_FRAME, joining.size()):
		_admit(joining.pop_front())
	mp.poll()
	if read_channels:
		for p in connected:
			for ch: WebRTCDataChannel in p.channels:
				while ch.get_available_packet_count() > 0:
					count(p, ch.get_packet())
	else:
		while mp.get_available_packet_count() > 0:
			var from := mp.get_packet_peer()
			var pkt := mp.get_packet()
			var p: Player = players.get(from)
			if p != null:
				count(p, pkt)
	frame += 1
	var send_snapshots := frame % SNAPSHOT_EVERY == 0
	var event_slot := frame % TICK_RATE
	for p in connected:
		if send_snapshots:
			p.snapshot_seq += 1
			snapshot.encode_u32(4, p.snapshot_seq)
			snapshot.encode_u32(8, p.inputs)
			snapshot.encode_u32(12, p.events)
			snapshot.encode_u32(16, p.late)
			mp.set_target_peer(p.id)
			mp.transfer_mode = MultiplayerPeer.TRANSFER_MODE_UNRELIABLE
			mp.put_packet(snapshot)
		if p.id % TICK_RATE == event_slot:
			p.event_seq += 1
			event.encode_u32(4, p.event_seq)
			event.encode_s64(8, unix_usec())
			mp.set_target_peer(p.id)
			mp.transfer_mode = MultiplayerPeer.TRANSFER_MODE_RELIABLE
			mp.put_packet(event)
	var t1 := Time.get_ticks_usec()
	frame_times.append(t1 - t0)
	if t1 - second_start >= 1000000:
		second_start = t1
		var rt: Dictionary = probe.get_stats().runtime
		print("STAT ", JSON.stringify({"t": int(Time.get_unix_time_from_system() * 1000), "ft": frame_times,
			"players": connected.size(), "peers": players.size(), "goroutines": rt.goroutines,
			"live": rt.live_connections, "heap": rt.go_heap_bytes, "heap_live": rt.go_heap_live_bytes,
			"gc": rt.gc_cycles}))
		frame_times = []
	return false
