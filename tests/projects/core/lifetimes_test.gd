# Connections kept alive by their own handlers. Godot frees a RefCounted
# object when its last reference goes and has no cycle collector, so a
# connection whose own signal holds a Callable that holds the connection is
# never freed: it and its pion resources live until the game quits.
#
# Each test runs CYCLES connect/close cycles of two connections whose
# session_description_created handler is written one way, then drops every
# reference the game holds, and compares get_stats().runtime.live_connections
# with its value before the cycles. Even cycles close() both connections,
# odd ones only drop them (freeing closes them). The safe forms return to
# the baseline. The two cycle forms keep exactly the two connections of every
# cycle (those of odd cycles still connected to each other), which this test
# asserts so that it documents the pitfall; Godot's exit check then reports
# "resources still in use at exit".
# Prints one line per form for the Go side:
#   LIFETIME <form> cycles=N leaked=M
extends "res://harness.gd"

const CYCLES := 50

var stats_source = WebRTCPeerConnection.new() # untyped: get_stats() is WebRTCGoPeerConnection's


## Routes offers, answers and candidates between the two connections of a
## cycle, as a game's signaling does. It holds them only while the cycle
## runs, as a game drops a peer that leaves.
class Room:
	var peers := {} # "a" or "b" -> WebRTCPeerConnection
	var received: Array[WebRTCDataChannel] = [] # kept: a channel Godot frees is closed

	func relay_description(type: String, sdp: String, from: String) -> void:
		peers["b" if from == "a" else "a"].set_remote_description(type, sdp)

	func relay_candidate(media: String, index: int, name: String, from: String) -> void:
		peers["b" if from == "a" else "a"].add_ice_candidate(media, index, name)

	func keep(channel: WebRTCDataChannel) -> void:
		received.append(channel)

	func poll() -> void:
		for pc in peers.values():
			pc.poll()


## Member variables in a Node: the lambda reaches the connection through
## self, and a lambda holds a Node (not reference-counted) by pointer only.
class NodePlayer extends Node:
	var pc: WebRTCPeerConnection
	var room: Room
	var who: String

	func _init(p: WebRTCPeerConnection, r: Room, w: String) -> void:
		pc = p
		room = r
		who = w
		pc.session_description_created.connect(func(type, sdp):
			pc.set_local_description(type, sdp)
			room.relay_description(type, sdp, who))


## Bound methods, with an argument bound as examples/demo/network.gd does: a
## Callable of an object's method holds the object by id, not by reference.
class MethodPlayer extends RefCounted:
	var pc: WebRTCPeerConnection
	var room: Room

	func _init(p: WebRTCPeerConnection, r: Room, who: String) -> void:
		pc = p
		room = r
		pc.session_description_created.connect(_on_description.bind(who))

	func _on_description(type: String, sdp: String, who: String) -> void:
		pc.set_local_description(type, sdp)
		room.relay_description(type, sdp, who)


## The member-variable form again, in a RefCounted holder: a lambda that uses
## a member holds self by reference when self is RefCounted, so holder ->
## connection -> its signal -> lambda -> holder is a cycle.
class RefCountedPlayer extends RefCounted:
	var pc: WebRTCPeerConnection
	var room: Room
	var who: String

	func _init(p: WebRTCPeerConnection, r: Room, w: String) -> void:
		pc = p
		room = r
		who = w
		pc.session_description_created.connect(func(type, sdp):
			pc.set_local_description(type, sdp)
			room.relay_description(type, sdp, who))


## The natural helper: the lambda captures p, the connection whose signal
## holds the lambda.
func wire_capturing(p: WebRTCPeerConnection, room: Room, who: String) -> Variant:
	p.session_description_created.connect(func(type, sdp):
		p.set_local_description(type, sdp)
		room.relay_description(type, sdp, who))
	return p


## weakref() in the lambda: it holds the connection without a reference.
func wire_weakref(p: WebRTCPeerConnection, room: Room, who: String) -> Variant:
	var w: WeakRef = weakref(p)
	p.session_description_created.connect(func(type, sdp):
		var pc: WebRTCPeerConnection = w.get_ref()
		if pc != null:
			pc.set_local_description(type, sdp)
			room.relay_description(type, sdp, who))
	return p


func wire_node_member(p: WebRTCPeerConnection, room: Room, who: String) -> Variant:
	return NodePlayer.new(p, room, who)


func wire_bound_method(p: WebRTCPeerConnection, room: Room, who: String) -> Variant:
	return MethodPlayer.new(p, room, who)


func wire_refcounted_member(p: WebRTCPeerConnection, room: Room, who: String) -> Variant:
	return RefCountedPlayer.new(p, room, who)


func live_connections() -> int:
	return stats_source.get_stats().runtime.live_connections


## One cycle: two connections wired by wire, connected with a channel open
## on both sides, then closed (even n) or only dropped (odd n), with whatever
## the game held (the connections, or the holders wire returned; Nodes are
## freed).
func cycle(wire: Callable, n: int) -> void:
	var room := Room.new()
	var held := []
	for who in ["a", "b"]:
		var pc := WebRTCPeerConnection.new()
		pc.initialize({})
		pc.ice_candidate_created.connect(room.relay_candidate.bind(who))
		pc.data_channel_received.connect(room.keep)
		room.peers[who] = pc
		held.append(wire.call(pc, room, who))
	var a: WebRTCPeerConnection = room.peers.a
	var ch := a.create_data_channel("cycle-%d" % n)
	a.create_offer()
	var connected: bool = await wait_until(func(): return ch.get_ready_state() == WebRTCDataChannel.STATE_OPEN \
		and room.received.size() == 1 and room.received[0].get_ready_state() == WebRTCDataChannel.STATE_OPEN, [room], 20)
	if not connected:
		check(false, "cycle %d: not connected within 20 s (connection states %d and %d, channel %d, %d received)" % [n,
			a.get_connection_state(), room.peers.b.get_connection_state(), ch.get_ready_state(), room.received.size()])
	if n % 2 == 0:
		for pc in room.peers.values():
			pc.close()
	room.peers.clear()
	room.received.clear()
	for h in held:
		if h is Node:
			h.free()


## Runs CYCLES cycles of one form and checks how many connections are left
## (2 per cycle for a form that leaks, else none).
func run_form(form: String, wire: Callable, leaks: bool) -> void:
	var base := live_connections()
	for n in CYCLES:
		await cycle(wire, n)
	var want := 2 * CYCLES if leaks else 0
	# Freeing is synchronous; the wait only bounds a failure.
	await wait_until(func(): return live_connections() - base == want, [], 5)
	var leaked := live_connections() - base
	print("LIFETIME %s cycles=%d leaked=%d" % [form, CYCLES, leaked])
	check_eq(leaked, want, "%s: connections left after %d cycles" % [form, CYCLES])


func test_node_member_variables_are_freed() -> void:
	await run_form("node-member", wire_node_member, false)


func test_bound_methods_are_freed() -> void:
	await run_form("bound-method", wire_bound_method, false)


func test_weakref_in_lambda_is_freed() -> void:
	await run_form("weakref", wire_weakref, false)


func test_lambda_capturing_its_connection_leaks() -> void:
	await run_form("capturing-lambda", wire_capturing, true)


func test_lambda_in_refcounted_holder_leaks() -> void:
	await run_form("refcounted-member", wire_refcounted_member, true)
