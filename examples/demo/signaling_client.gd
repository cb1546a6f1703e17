## Client of examples/signaling: joins a room over WebSocket and relays JSON
## messages to other peers of the room by id.
extends RefCounted

signal welcomed(id: int, peers: Array)
signal peer_joined(id: int)
signal peer_left(id: int)
signal message(from: int, data: Dictionary)

var ws := WebSocketPeer.new()
var id := 0


func connect_to(url: String) -> Error:
	return ws.connect_to_url(url)


func send(to: int, data: Dictionary) -> void:
	var msg := data.duplicate()
	msg["to"] = to
	ws.send_text(JSON.stringify(msg))


func poll() -> void:
	ws.poll()
	while ws.get_available_packet_count() > 0:
		var msg = JSON.parse_string(ws.get_packet().get_string_from_utf8())
		if typeof(msg) != TYPE_DICTIONARY:
			continue
		match msg.get("type", ""):
			"welcome":
				id = int(msg.id)
				welcomed.emit(id, msg.peers)
			"join":
				peer_joined.emit(int(msg.id))
			"leave":
				peer_left.emit(int(msg.id))
			_:
				if msg.has("from"):
					message.emit(int(msg.from), msg)
