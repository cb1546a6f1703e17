# Candidates that arrive before the remote description: some stacks send them
# while their description is still being set, and signaling can reorder
# messages. Here every candidate of both sides reaches the other before the
# description it belongs to (the offer, then the answer): add_ice_candidate
# keeps them and returns OK, set_remote_description applies them, and the pair
# connects over those candidates alone, whichever side offers.
extends "res://harness.gd"

var peers: Array[WebRTCPeerConnection] = []
var held: Array = []          # per peer: [type, sdp] not yet sent to the other
var has_remote: Array = []    # per peer: set_remote_description was called
var early: Array = []         # per peer: candidates it got before its remote description
var produced: Array = []      # per peer: candidates it produced
var received: Array = []      # per peer: channels data_channel_received gave
var refused := 0              # add_ice_candidate or set_remote_description calls that failed
var errors := 0               # error_occurred signals


func test_offerer_gets_early_candidates_from_the_answerer() -> void:
	await connect_with_early_candidates(0)


func test_answerer_gets_early_candidates_from_the_offerer() -> void:
	await connect_with_early_candidates(1)


## Connects peers[offerer] to the other one, holding back each description
## until its side has gathered and sent all its candidates. (Both tests see
## both orders; each names the side whose offer starts it.)
func connect_with_early_candidates(offerer: int) -> void:
	peers = [WebRTCPeerConnection.new(), WebRTCPeerConnection.new()]
	held = [[], []]
	has_remote = [false, false]
	early = [0, 0]
	produced = [0, 0]
	received = [[], []]
	refused = 0
	errors = 0
	for i in 2:
		check_eq(peers[i].initialize({}), OK, "initialize")
		peers[i].session_description_created.connect(_on_description.bind(i))
		peers[i].ice_candidate_created.connect(_on_candidate.bind(i))
		peers[i].data_channel_received.connect(_on_channel.bind(i))
		peers[i].error_occurred.connect(_on_error)
	var answerer := 1 - offerer
	var ch := peers[offerer].create_data_channel("early")
	check_eq(peers[offerer].create_offer(), OK, "create_offer")
	var deadline := Time.get_ticks_msec() + 15000
	while Time.get_ticks_msec() < deadline:
		_poll()
		if received[answerer].size() == 1 and ch.get_ready_state() == WebRTCDataChannel.STATE_OPEN \
				and peers[offerer].get_connection_state() == WebRTCPeerConnection.STATE_CONNECTED:
			break
		await process_frame
	if not check(received[answerer].size() == 1 and ch.get_ready_state() == WebRTCDataChannel.STATE_OPEN, "connected over the early candidates"):
		return
	check_eq(refused, 0, "calls refused")
	check_eq(errors, 0, "error_occurred signals")
	check(produced[offerer] > 0 and produced[answerer] > 0, "both sides produced candidates")
	check_eq(early[answerer], produced[offerer], "every candidate of the offerer came before the offer")
	check_eq(early[offerer], produced[answerer], "every candidate of the answerer came before the answer")
	check_eq(ch.put_packet("over early candidates".to_utf8_buffer()), OK, "put_packet")
	var other: WebRTCDataChannel = received[answerer][0]
	var ok: bool = await wait_until(func(): return other.get_available_packet_count() > 0, peers, 5)
	if check(ok, "the message arrives"):
		check_eq(other.get_packet().get_string_from_utf8(), "over early candidates", "payload")
	for p in peers:
		p.close()


## Polls both peers; a description waits until its side has sent all its
## candidates: gathering was complete before the poll, which so delivered
## every candidate (they are queued before the state changes).
func _poll() -> void:
	for i in 2:
		var gathered := peers[i].get_gathering_state() == WebRTCPeerConnection.GATHERING_STATE_COMPLETE
		peers[i].poll()
		if not gathered:
			continue
		for d in held[i]:
			if peers[1 - i].set_remote_description(d[0], d[1]) != OK:
				refused += 1
			has_remote[1 - i] = true
		held[i].clear()


func _on_description(type: String, sdp: String, i: int) -> void:
	if peers[i].set_local_description(type, sdp) != OK:
		refused += 1
	held[i].append([type, sdp])


func _on_candidate(media: String, index: int, name: String, i: int) -> void:
	produced[i] += 1
	if not has_remote[1 - i]:
		early[1 - i] += 1
	if peers[1 - i].add_ice_candidate(media, index, name) != OK:
		refused += 1


func _on_channel(channel: WebRTCDataChannel, i: int) -> void:
	received[i].append(channel)


func _on_error(_code: int, message: String) -> void:
	errors += 1
	print("  error_occurred: ", message)
