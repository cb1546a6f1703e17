# A channel created on a live connection is OPEN as soon as create_data_channel
# returns, and a channel the remote opens is OPEN when data_channel_received
# delivers it. From that moment put_packet must take a message of the size
# both sides advertised (256 KiB), not only the 64 KiB default that applies
# before the connection knows the remote's maximum.
extends "res://harness.gd"

const Relay = preload("res://relay.gd")

## The a=max-message-size both sides advertise.
const MAX_SIZE := 262144
## Channels opened one after the other: several maximum-size messages on
## different channels at once stall pion's SCTP between two pion peers.
const CHANNELS := 20


func test_the_maximum_is_accepted_the_moment_a_channel_opens() -> void:
	var r = Relay.new()
	var ids: Array[int] = r.pair()
	var a: WebRTCPeerConnection = r.peers[ids[0]]
	var b: WebRTCPeerConnection = r.peers[ids[1]]
	var first := a.create_data_channel("first") # kept: dropping it would close it
	check_eq(a.create_offer(), OK, "create_offer")
	var ok: bool = await wait_until(func(): return a.get_connection_state() == WebRTCPeerConnection.STATE_CONNECTED \
		and b.get_connection_state() == WebRTCPeerConnection.STATE_CONNECTED and r.received[ids[1]].size() == 1 \
		and first.get_ready_state() == WebRTCDataChannel.STATE_OPEN, [r])
	if not check(ok, "connected"):
		return
	var big := PackedByteArray()
	big.resize(MAX_SIZE)
	for i in CHANNELS:
		big[0] = i
		var ch := a.create_data_channel("late-%d" % i)
		if check_eq(ch.get_ready_state(), WebRTCDataChannel.STATE_OPEN, "channel %d OPEN when created on a live connection" % i):
			check_eq(ch.put_packet(big), OK, "channel %d: 256 KiB the moment it is OPEN" % i)
		# The remote's end, in the frame whose poll delivered it.
		var remote: WebRTCDataChannel = null
		var deadline := Time.get_ticks_msec() + 10000
		while remote == null and Time.get_ticks_msec() < deadline:
			r.poll()
			if r.received[ids[1]].size() > 1 + i:
				remote = r.received[ids[1]][1 + i]
			else:
				await process_frame
		if not check(remote != null, "channel %d reaches the remote" % i):
			return
		if check_eq(remote.get_ready_state(), WebRTCDataChannel.STATE_OPEN, "channel %d OPEN when received" % i):
			check_eq(remote.put_packet(big), OK, "received channel %d: 256 KiB the moment it is OPEN" % i)
		ok = await wait_until(func(): return remote.get_available_packet_count() > 0 and ch.get_available_packet_count() > 0, [r], 10)
		if not check(ok, "channel %d: both messages arrive" % i):
			return
		var there := remote.get_packet()
		var back := ch.get_packet()
		check(there.size() == MAX_SIZE and there[0] == i, "channel %d: the message arrives whole" % i)
		check(back.size() == MAX_SIZE and back[0] == i, "channel %d: the answer arrives whole" % i)
	a.close()
	b.close()
