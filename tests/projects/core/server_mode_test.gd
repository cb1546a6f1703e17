# Server mode: 32 clients connect to 32 server-side peer connections that all
# share one UDP port (udpMuxPort), as a dedicated server behind a firewall would.
extends "res://harness.gd"

const Relay = preload("res://relay.gd")
const PORT := 39000


func test_thirty_two_clients_on_one_port() -> void:
	var r = Relay.new()
	var server_ids: Array[int] = []
	var channels: Array = []
	for i in 32:
		var server := WebRTCPeerConnection.new()
		var client := WebRTCPeerConnection.new()
		check_eq(server.initialize({"udpMuxPort": PORT}), OK, "server initialize %d" % i)
		client.initialize({})
		var si: int = r.add(server)
		r.link(si, r.add(client))
		server_ids.append(si)
		channels.append(server.create_data_channel("game"))
		server.create_offer()
	var ok: bool = await wait_until(func(): return channels.all(func(c): return c.get_ready_state() == WebRTCDataChannel.STATE_OPEN) \
		and server_ids.all(func(si): return r.received[si + 1].size() == 1), [r], 60)
	if not check(ok, "32 clients connected"):
		return
	for k in 32:
		var stats: Dictionary = r.peers[server_ids[k]].get_stats()
		check_eq(stats.selected_pair.local.port, PORT, "server side of client %d uses the shared port" % k)
		r.received[server_ids[k] + 1][0].put_packet(("client %d" % k).to_utf8_buffer())
	var got := 0
	var deadline := Time.get_ticks_msec() + 10000
	while got < 32 and Time.get_ticks_msec() < deadline:
		r.poll()
		got = 0
		for k in 32:
			if channels[k].get_available_packet_count() > 0:
				got += 1
		await process_frame
	check_eq(got, 32, "a message from every client")
	for k in 32:
		check_eq(channels[k].get_packet().get_string_from_utf8(), "client %d" % k, "message of client %d" % k)
