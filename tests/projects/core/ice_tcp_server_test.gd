# ICE over TCP in server mode: 32 clients connect to 32 server-side peer
# connections that offer only a passive ICE-TCP candidate, all on one TCP port
# (tcpMuxPort), as a dedicated server reached by players whose networks block
# UDP would. The clients have the default configuration (UDP and TCP, as a
# browser): with no UDP candidate to pair, they dial the server's port.
extends "res://harness.gd"

const Relay = preload("res://relay.gd")
const PORT := 39001
const CLIENTS := 32


func test_thirty_two_clients_on_one_tcp_port() -> void:
	var r = Relay.new()
	var server_ids: Array[int] = []
	var channels: Array = []
	for i in CLIENTS:
		var server := WebRTCPeerConnection.new()
		var client := WebRTCPeerConnection.new()
		check_eq(server.initialize({"tcpMuxPort": PORT, "iceNetworkTypes": ["tcp"]}), OK, "server initialize %d" % i)
		client.initialize({})
		var si: int = r.add(server)
		r.link(si, r.add(client))
		server_ids.append(si)
		channels.append(server.create_data_channel("game"))
		server.create_offer()
	var ok: bool = await wait_until(func(): return channels.all(func(c): return c.get_ready_state() == WebRTCDataChannel.STATE_OPEN) \
		and server_ids.all(func(si): return r.received[si + 1].size() == 1), [r], 60)
	if not check(ok, "%d clients connected" % CLIENTS):
		return
	for si in server_ids:
		for c in r.candidates[si]:
			check(c[2].contains(" tcp ") and c[2].contains(" %d typ host tcptype passive" % PORT),
				"the server offers only passive TCP on the shared port: %s" % c[2])
	var client_ports := {}
	for k in CLIENTS:
		var pair: Dictionary = r.peers[server_ids[k]].get_stats().selected_pair
		check_eq(pair.local.protocol, "tcp", "server side of client %d is on TCP" % k)
		check_eq(pair.local.port, PORT, "server side of client %d uses the shared port" % k)
		check_eq(pair.remote.protocol, "tcp", "client %d reached the server over TCP" % k)
		client_ports[pair.remote.port] = true
		check_eq(r.peers[server_ids[k] + 1].get_stats().selected_pair.local.protocol, "tcp", "client %d's own pair says tcp" % k)
		r.received[server_ids[k] + 1][0].put_packet(("client %d" % k).to_utf8_buffer())
		channels[k].put_packet(("server to %d" % k).to_utf8_buffer())
	check_eq(client_ports.size(), CLIENTS, "one TCP connection per client")
	var got := 0
	var deadline := Time.get_ticks_msec() + 10000
	while got < 2 * CLIENTS and Time.get_ticks_msec() < deadline:
		r.poll()
		got = 0
		for k in CLIENTS:
			got += mini(channels[k].get_available_packet_count(), 1)
			got += mini(r.received[server_ids[k] + 1][0].get_available_packet_count(), 1)
		await process_frame
	check_eq(got, 2 * CLIENTS, "a message each way for every client")
	for k in CLIENTS:
		check_eq(channels[k].get_packet().get_string_from_utf8(), "client %d" % k, "message of client %d" % k)
		check_eq(r.received[server_ids[k] + 1][0].get_packet().get_string_from_utf8(), "server to %d" % k, "message to client %d" % k)
	check_eq(r.signals_on_other_thread, 0, "every signal on the game's thread")
