## The game node, at /root/Game in every process: RPCs between the host and
## its clients. Clients say hello; the host sends ticks; clients answer each
## tick and report positions on an unreliable channel; the host says bye.
extends Node

const TICKS := 5

var expected_clients := 1
var hellos := {}
var acks := 0
var positions := 0
var finished := false


func _ready() -> void:
	multiplayer.peer_connected.connect(func(id): print("%s: peer %d connected" % [who(), id]))
	multiplayer.peer_disconnected.connect(func(id): print("%s: peer %d disconnected" % [who(), id]))
	multiplayer.connected_to_server.connect(_on_connected_to_server)


var _me := ""


## This process's name in the log, fixed once the peer is connected (after the
## host leaves, a client's multiplayer peer no longer knows its id).
func who() -> String:
	if _me == "" and multiplayer.has_multiplayer_peer() \
			and multiplayer.multiplayer_peer.get_connection_status() == MultiplayerPeer.CONNECTION_CONNECTED:
		_me = "host" if multiplayer.is_server() else "client %d" % multiplayer.get_unique_id()
	return _me if _me != "" else "peer"


func _on_connected_to_server() -> void:
	print("%s: connected to the host over WebRTC" % who())
	hello.rpc_id(1, "player-%d" % multiplayer.get_unique_id())


@rpc("any_peer", "reliable")
func hello(player_name: String) -> void:
	var from := multiplayer.get_remote_sender_id()
	print("host: hello from client %d (%s)" % [from, player_name])
	hellos[from] = player_name
	if hellos.size() == expected_clients:
		for i in range(1, TICKS + 1):
			tick.rpc(i)


@rpc("authority", "reliable")
func tick(n: int) -> void:
	print("%s: tick %d" % [who(), n])
	ack.rpc_id(1, n)
	position.rpc_id(1, Vector2(n, n * 2))


var network # set by main.gd: the connections, for their stats


@rpc("any_peer", "reliable")
func ack(n: int) -> void:
	acks += 1
	if acks == TICKS * expected_clients:
		print("host: all %d acks received; %d unreliable position updates arrived" % [acks, positions])
		print_stats()
		bye.rpc()
		finished = true


## Prints this extension's get_stats() for each connection.
func print_stats() -> void:
	for id in network.connections:
		var s: Dictionary = network.connections[id].get_stats()
		var pair: Dictionary = s.selected_pair
		if pair.is_empty():
			continue
		print("host: stats for client %d: %s %s:%d <-> %s %s:%d, rtt %.2f ms, %d bytes sent, %d received" % [id,
			pair.local.type, pair.local.address, pair.local.port, pair.remote.type, pair.remote.address, pair.remote.port,
			pair.current_round_trip_time * 1000.0, pair.bytes_sent, pair.bytes_received])
		for ch in s.channels:
			print("host:   channel %s (id %d): %d messages sent, %d received" % [ch.label, ch.id, ch.messages_sent, ch.messages_received])


@rpc("any_peer", "unreliable")
func position(_pos: Vector2) -> void:
	positions += 1


@rpc("authority", "reliable")
func bye() -> void:
	print("%s: the host said bye" % who())
	finished = true
