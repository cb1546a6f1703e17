## Builds a WebRTCMultiplayerPeer from signaling: the first peer in the room
## (id 1) is the server, the others are clients; the server offers to each
## client that joins. Offers, answers and candidates travel through signaling.
## Every connection also carries an audio track each way (voice.gd).
extends RefCounted

signal ready_to_play(peer: WebRTCMultiplayerPeer)
signal track_added(id: int, track: WebRTCGoAudioTrack)
signal track_received(id: int, track: WebRTCGoAudioTrack)

var signaling = preload("res://signaling_client.gd").new()
var multiplayer_peer := WebRTCMultiplayerPeer.new()
var connections := {} # peer id -> WebRTCPeerConnection


func start(url: String) -> Error:
	signaling.welcomed.connect(_on_welcomed)
	signaling.peer_joined.connect(_on_peer_joined)
	signaling.peer_left.connect(_on_peer_left)
	signaling.message.connect(_on_message)
	return signaling.connect_to(url)


func poll() -> void:
	signaling.poll()


## This peer's id in the room, 0 until signaling welcomed it.
func id() -> int:
	return signaling.id


## This process's name in the log (set by main.gd).
var who: Callable


func _on_welcomed(id: int, _peers: Array) -> void:
	if id == 1:
		multiplayer_peer.create_server()
	else:
		multiplayer_peer.create_client(id)
		_connection_for(1)
	ready_to_play.emit(multiplayer_peer)


func _on_peer_joined(id: int) -> void:
	if signaling.id == 1:
		_connection_for(id).create_offer()


func _on_peer_left(id: int) -> void:
	if multiplayer_peer.has_peer(id):
		multiplayer_peer.remove_peer(id)
	connections.erase(id)


func _connection_for(id: int) -> WebRTCPeerConnection:
	if connections.has(id):
		return connections[id]
	var pc := WebRTCPeerConnection.new()
	pc.initialize({})
	pc.session_description_created.connect(_on_description.bind(id))
	pc.ice_candidate_created.connect(_on_candidate.bind(id))
	# Added before the offer (and before the answer on the client), so that
	# the first negotiation carries voice both ways on one audio track.
	track_added.emit(id, pc.add_audio_track())
	pc.connect("track_received", _on_track_received.bind(id))
	multiplayer_peer.add_peer(pc, id)
	connections[id] = pc
	return pc


func _on_description(type: String, sdp: String, id: int) -> void:
	connections[id].set_local_description(type, sdp)
	signaling.send(id, {"type": type, "sdp": sdp})


func _on_track_received(track: WebRTCGoAudioTrack, id: int) -> void:
	track_received.emit(id, track)


func _on_candidate(media: String, index: int, name: String, id: int) -> void:
	signaling.send(id, {"type": "candidate", "media": media, "index": index, "name": name})


func _on_message(from: int, msg: Dictionary) -> void:
	var pc := _connection_for(from)
	match msg.type:
		"offer", "answer":
			pc.set_remote_description(msg.type, msg.sdp)
		"candidate":
			pc.add_ice_candidate(msg.media, int(msg.index), msg.name)
