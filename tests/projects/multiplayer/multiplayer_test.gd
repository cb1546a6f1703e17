# Godot's own WebRTCMultiplayerPeer on top of the extension, in one process:
# a mesh of four peers, and a server with three clients.
extends "res://harness.gd"

const Relay = preload("res://relay.gd")


## Connects peer ids a and b of the multiplayer peers mps (index id-1) with
## a pair of peer connections that signal through r; the lower id offers.
func join(r, mps: Array, a: int, b: int) -> void:
	var pa := WebRTCPeerConnection.new()
	var pb := WebRTCPeerConnection.new()
	pa.initialize({})
	pb.initialize({})
	r.link(r.add(pa), r.add(pb))
	check_eq(mps[a - 1].add_peer(pa, b), OK, "add_peer %d to %d" % [b, a])
	check_eq(mps[b - 1].add_peer(pb, a), OK, "add_peer %d to %d" % [a, b])
	check_eq(pa.create_offer(), OK, "offer %d->%d" % [a, b])


## Sends one reliable packet from every peer to every peer it knows and checks
## that each arrives with the right sender.
func exchange(mps: Array, links: Array) -> void:
	for mp in mps:
		mp.transfer_mode = MultiplayerPeer.TRANSFER_MODE_RELIABLE
	for l in links:
		for dir in [[l[0], l[1]], [l[1], l[0]]]:
			var from: MultiplayerPeer = mps[dir[0] - 1]
			from.set_target_peer(dir[1])
			check_eq(from.put_packet(("from %d to %d" % dir).to_utf8_buffer()), OK, "put %d->%d" % dir)
	var want := links.size() * 2
	var got := {}
	var deadline := Time.get_ticks_msec() + 10000
	while got.size() < want and Time.get_ticks_msec() < deadline:
		for i in mps.size():
			var mp: MultiplayerPeer = mps[i]
			mp.poll()
			while mp.get_available_packet_count() > 0:
				var sender := mp.get_packet_peer()
				var text := mp.get_packet().get_string_from_utf8()
				check_eq(text, "from %d to %d" % [sender, i + 1], "payload and sender")
				got[text] = true
		await process_frame
	check_eq(got.size(), want, "packets delivered")


func test_mesh_of_four() -> void:
	var r = Relay.new()
	var mps: Array = []
	for id in range(1, 5):
		var mp := WebRTCMultiplayerPeer.new()
		check_eq(mp.create_mesh(id), OK, "create_mesh %d" % id)
		mps.append(mp)
	var links: Array = []
	for a in range(1, 5):
		for b in range(a + 1, 5):
			join(r, mps, a, b)
			links.append([a, b])
	var ok: bool = await wait_until(func(): return mps.all(func(mp): return mp.get_peers().values().all(func(p): return p.connected) and mp.get_peers().size() == 3), mps + [r], 30)
	if not check(ok, "all six links connected"):
		return
	for mp in mps:
		check_eq(mp.get_connection_status(), MultiplayerPeer.CONNECTION_CONNECTED, "mesh peer connected")
	await exchange(mps, links)
	# Unreliable modes use the channels WebRTCMultiplayerPeer configures with
	# maxPacketLifetime / maxRetransmits: they must really be unreliable.
	var peer: Dictionary = mps[0].get_peer(2)
	var chans: Array = peer.channels
	check_eq(chans.size(), 3, "three default channels")
	check(chans[0].get_max_packet_life_time() == 65535 and chans[0].get_max_retransmits() == 65535, "channel 0 reliable")
	check(chans[1].get_max_packet_life_time() != 65535, "channel 1 has a packet lifetime (maxPacketLifetime honoured)")
	check(chans[2].get_max_packet_life_time() != 65535 and not chans[2].is_ordered(), "channel 2 unordered with a lifetime")
	mps[3].close()
	check(await wait_until(func(): return not mps[0].has_peer(4), mps.slice(0, 3) + [r], 40), "peer 4 leaving is noticed")


func test_server_and_three_clients() -> void:
	var r = Relay.new()
	var server := WebRTCMultiplayerPeer.new()
	check_eq(server.create_server(), OK, "create_server")
	var mps: Array = [server]
	var links: Array = []
	for id in range(2, 5):
		var client := WebRTCMultiplayerPeer.new()
		check_eq(client.create_client(id), OK, "create_client %d" % id)
		mps.append(client)
	for id in range(2, 5):
		join(r, mps, 1, id)
		links.append([1, id])
	# get_peers() lists peers as soon as they are added: wait for "connected".
	var ok: bool = await wait_until(func(): return server.get_peers().size() == 3 \
		and server.get_peers().values().all(func(p): return p.connected) \
		and mps.all(func(mp): return mp.get_connection_status() == MultiplayerPeer.CONNECTION_CONNECTED), mps + [r], 30)
	if not check(ok, "server and clients connected"):
		return
	for id in range(2, 5):
		check(server.has_peer(id), "server knows client %d" % id)
		check_eq(mps[id - 1].get_unique_id(), id, "client id")
	await exchange(mps, links)
