# Relays signaling between WebRTCPeerConnections in one Godot process, as a
# game's signaling server would, and records how each signal arrived: the
# extension must emit only from poll(), on the thread that called it.
# Connections use method callables (not lambdas) so no reference cycles form.
extends RefCounted

var peers: Array = []       # WebRTCPeerConnection, or null once dropped
var partner: Array[int] = []
var received: Array = []    # per peer: the channels data_channel_received gave
var candidates: Array = []  # per peer: [media, index, name] it produced
var in_poll := false
var signals_outside_poll := 0
var signals_on_other_thread := 0
var main_thread := OS.get_thread_caller_id()


## Registers pc and returns its index.
func add(pc: WebRTCPeerConnection) -> int:
	var i := peers.size()
	peers.append(pc)
	partner.append(-1)
	received.append([])
	candidates.append([])
	pc.session_description_created.connect(_on_description.bind(i))
	pc.ice_candidate_created.connect(_on_candidate.bind(i))
	pc.data_channel_received.connect(_on_channel.bind(i))
	return i


## Creates two initialised peer connections that signal to each other.
func pair(config := {}) -> Array[int]:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	assert(a.initialize(config) == OK and b.initialize(config) == OK)
	var ia := add(a)
	var ib := add(b)
	link(ia, ib)
	return [ia, ib]


func link(ia: int, ib: int) -> void:
	partner[ia] = ib
	partner[ib] = ia


func poll() -> void:
	in_poll = true
	for p in peers:
		if p != null:
			p.poll()
	in_poll = false


func _note() -> void:
	if not in_poll:
		signals_outside_poll += 1
	if OS.get_thread_caller_id() != main_thread:
		signals_on_other_thread += 1


func _on_description(type: String, sdp: String, i: int) -> void:
	_note()
	peers[i].set_local_description(type, sdp)
	var other = peers[partner[i]]
	if other != null:
		other.set_remote_description(type, sdp)


func _on_candidate(media: String, index: int, name: String, i: int) -> void:
	_note()
	candidates[i].append([media, index, name])
	var other = peers[partner[i]]
	if other != null:
		other.add_ice_candidate(media, index, name)


func _on_channel(channel: WebRTCDataChannel, i: int) -> void:
	_note()
	received[i].append(channel)
