# A channel created on a live connection is OPEN as soon as create_data_channel
# returns, and a channel the remote opens is OPEN when data_channel_received
# delivers it. From that moment put_packet must take a message of the size
# both sides advertised (256 KiB), not only the 64 KiB default that applies
# before the connection knows the remote's maximum.
extends "res://harness.gd"

const Relay = preload("res://relay.gd")

## The a=max-message-size both sides advertise.
const MAX_SIZE := 262144
## Channels opened one after the other, each checked the moment it opens.
const CHANNELS := 20
## Channels that each send a maximum-size message at the same moment, both
## ways: between two pion peers SCTP interleaves their fragments, which
## fills the receive window with partial messages unless the sender holds
## some back.
const AT_ONCE := 8


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


func test_a_maximum_size_message_on_every_channel_at_once_arrives() -> void:
	var r = Relay.new()
	var ids: Array[int] = r.pair()
	var a: WebRTCPeerConnection = r.peers[ids[0]]
	var b: WebRTCPeerConnection = r.peers[ids[1]]
	var mine: Array[WebRTCDataChannel] = []
	for i in AT_ONCE:
		mine.append(a.create_data_channel("bulk-%d" % i))
	check_eq(a.create_offer(), OK, "create_offer")
	var ok: bool = await wait_until(func(): return r.received[ids[1]].size() == AT_ONCE \
		and mine.all(func(ch): return ch.get_ready_state() == WebRTCDataChannel.STATE_OPEN) \
		and r.received[ids[1]].all(func(ch): return ch.get_ready_state() == WebRTCDataChannel.STATE_OPEN), [r])
	if not check(ok, "connected with %d channels open on both sides" % AT_ONCE):
		return
	var theirs: Array[WebRTCDataChannel] = []
	for i in AT_ONCE:
		for ch in r.received[ids[1]]:
			if ch.get_label() == mine[i].get_label():
				theirs.append(ch)
	if not check_eq(theirs.size(), AT_ONCE, "every channel's remote end, by label"):
		return
	var big := PackedByteArray()
	big.resize(MAX_SIZE)
	for i in AT_ONCE:
		big[0] = i
		check_eq(mine[i].put_packet(big), OK, "channel %d: put_packet" % i)
		check_eq(theirs[i].put_packet(big), OK, "received channel %d: put_packet" % i)
	ok = await wait_until(func(): return mine.all(func(ch): return ch.get_available_packet_count() == 1) \
		and theirs.all(func(ch): return ch.get_available_packet_count() == 1), [r], 60)
	if not check(ok, "every message arrives"):
		for i in AT_ONCE:
			print("  channel %d: %d there, %d back" % [i, theirs[i].get_available_packet_count(), mine[i].get_available_packet_count()])
		return
	for i in AT_ONCE:
		var there: PackedByteArray = theirs[i].get_packet()
		var back: PackedByteArray = mine[i].get_packet()
		check(there.size() == MAX_SIZE and there[0] == i, "channel %d: the message arrives whole" % i)
		check(back.size() == MAX_SIZE and back[0] == i, "channel %d: the answer arrives whole" % i)
	a.close()
	b.close()
