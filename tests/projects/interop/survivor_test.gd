# A peer process dies (SIGKILL) while connected; this Godot survives it.
# Joins the signaling room first (id 1); three echo peers (echo_peer.gd, each
# its own Godot process) join as 2, 3 and 4. With default timeouts this side
# connects to 2 (the victim) and 3, creates READY_FILE, and keeps messages
# flowing to both. The Go test kills 2 with SIGKILL and creates KILLED_FILE.
# From then on this side measures how long until its connection to 2 is
# DISCONNECTED and FAILED, keeps writing to 2 (put_packet must stop with
# ERR_BUSY at the send budget, not queue without end), checks that 3's echoes
# never stop, then connects to 4, a new peer, and exchanges messages with it.
# Prints the figures on a SURVIVOR line. Environment: SIGNALING_URL,
# READY_FILE, KILLED_FILE.
extends "res://harness.gd"

const Signaling = preload("res://signaling_client.gd")
const VICTIM := 2
const BYSTANDER := 3
const NEWCOMER := 4
const SEND_BUDGET := 16 << 20 # extension.SendBudget

var signaling = Signaling.new()
var joined := {} # id -> true
var links := {} # id -> Link


## One connection to an echo peer: a control channel (echo_peer.gd's
## protocol) and a data channel that it echoes.
class Link:
	var pc := WebRTCPeerConnection.new()
	var control: WebRTCDataChannel
	var data: WebRTCDataChannel
	var sent := 0
	var echoed := 0
	var last_echo_ms := 0

	func open() -> bool:
		return pc.get_connection_state() == WebRTCPeerConnection.STATE_CONNECTED \
			and data.get_ready_state() == WebRTCDataChannel.STATE_OPEN \
			and control.get_ready_state() == WebRTCDataChannel.STATE_OPEN

	## Sends one small message and counts the echoes that came back.
	func ping() -> void:
		if data.get_ready_state() != WebRTCDataChannel.STATE_OPEN:
			return
		if data.put_packet(("ping %d" % sent).to_utf8_buffer()) == OK:
			sent += 1
		while data.get_available_packet_count() > 0:
			data.get_packet()
			echoed += 1
			last_echo_ms = Time.get_ticks_msec()

	func bye() -> void:
		control.set_write_mode(WebRTCDataChannel.WRITE_MODE_TEXT)
		control.put_packet(JSON.stringify({"cmd": "bye"}).to_utf8_buffer())


func poll() -> void:
	signaling.poll()
	for id in links:
		links[id].pc.poll()


func _on_message(from: int, msg: Dictionary) -> void:
	if not links.has(from):
		return
	var pc: WebRTCPeerConnection = links[from].pc
	match msg.type:
		"offer", "answer":
			check_eq(pc.set_remote_description(msg.type, msg.sdp), OK, "set_remote_description from %d" % from)
		"candidate":
			check_eq(pc.add_ice_candidate(msg.media, int(msg.index), msg.name), OK, "add_ice_candidate from %d" % from)


## Connects to peer id (default configuration: default ICE timeouts).
func dial(id: int) -> Link:
	var l := Link.new()
	links[id] = l
	l.pc.session_description_created.connect(func(type, sdp):
		l.pc.set_local_description(type, sdp)
		signaling.send(id, {"type": type, "sdp": sdp}))
	l.pc.ice_candidate_created.connect(func(media, index, name):
		signaling.send(id, {"type": "candidate", "media": media, "index": index, "name": name}))
	l.control = l.pc.create_data_channel("control")
	l.data = l.pc.create_data_channel("data")
	l.pc.create_offer()
	return l


func wait_frames_until(cond: Callable, timeout_sec: float) -> bool:
	var deadline := Time.get_ticks_msec() + int(timeout_sec * 1000)
	while not cond.call():
		if Time.get_ticks_msec() > deadline:
			return false
		poll()
		await process_frame
	return true


func test_survives_a_killed_peer() -> void:
	signaling.peer_joined.connect(func(id): joined[id] = true)
	signaling.message.connect(_on_message)
	signaling.connect_to(OS.get_environment("SIGNALING_URL"))
	if not check(await wait_frames_until(func(): return signaling.id != 0, 20), "welcomed by the signaling server"):
		return
	if not check_eq(signaling.id, 1, "joined first"):
		return
	if not check(await wait_frames_until(func(): return joined.has(VICTIM) and joined.has(BYSTANDER), 60), "peers 2 and 3 joined"):
		return
	var victim := dial(VICTIM)
	var bystander := dial(BYSTANDER)
	if not check(await wait_frames_until(func(): return victim.open() and bystander.open(), 30), "connected to peers 2 and 3"):
		return
	var failed_signals: Array = []
	victim.pc.connect("error_occurred", func(code, message): failed_signals.append([code, message]))
	check(await wait_frames_until(func():
		victim.ping()
		bystander.ping()
		return victim.echoed >= 10 and bystander.echoed >= 10, 20), "messages flow to both")

	# Ready: the Go side kills the victim now.
	var f := FileAccess.open(OS.get_environment("READY_FILE"), FileAccess.WRITE)
	f.store_string("ready\n")
	f.close()
	var killed_file := OS.get_environment("KILLED_FILE")
	var flowing := func():
		victim.ping()
		bystander.ping()
		return FileAccess.file_exists(killed_file)
	if not check(await wait_frames_until(flowing, 60), "the Go side killed peer 2"):
		return
	var killed_at := Time.get_ticks_msec()

	# Until the victim's connection fails: measure, flood it, and keep the
	# bystander's echoes flowing. (Lambdas capture locals by value: the
	# figures live in a Dictionary.)
	var m := {"disconnected_ms": -1, "failed_ms": -1, "max_gap_ms": 0, "max_buffered": 0,
		"last_echo": Time.get_ticks_msec(), "busy": 0, "ok": 0, "other": 0}
	var echoes_before := bystander.echoed
	var flood := PackedByteArray()
	flood.resize(65536)
	var done := func():
		var now := Time.get_ticks_msec()
		var state := victim.pc.get_connection_state()
		if m.disconnected_ms < 0 and state == WebRTCPeerConnection.STATE_DISCONNECTED:
			m.disconnected_ms = now - killed_at
		if m.failed_ms < 0 and state == WebRTCPeerConnection.STATE_FAILED:
			m.failed_ms = now - killed_at
		# Until refused three times (each refusal prints an error).
		if victim.data.get_ready_state() == WebRTCDataChannel.STATE_OPEN and m.busy < 3:
			match victim.data.put_packet(flood):
				OK: m.ok += 1
				ERR_BUSY: m.busy += 1
				_: m.other += 1
			m.max_buffered = max(m.max_buffered, victim.data.get_buffered_amount())
		bystander.ping()
		if bystander.last_echo_ms > m.last_echo:
			m.max_gap_ms = max(m.max_gap_ms, bystander.last_echo_ms - m.last_echo)
			m.last_echo = bystander.last_echo_ms
		return m.failed_ms >= 0
	check(await wait_frames_until(done, 60), "the connection to the killed peer reaches FAILED (state %d)" % victim.pc.get_connection_state())
	check(m.disconnected_ms >= 0 and m.disconnected_ms <= 10000, "DISCONNECTED within 10 s of the kill (%d ms)" % m.disconnected_ms)
	check(m.failed_ms >= 0 and m.failed_ms <= 40000, "FAILED within 40 s of the kill (%d ms)" % m.failed_ms)
	await wait_frames_until(func(): return not failed_signals.is_empty(), 2)
	check(failed_signals.size() >= 1 and failed_signals[0][0] == ERR_CANT_CONNECT, "error_occurred(ERR_CANT_CONNECT) for the dead peer: %s" % str(failed_signals))
	check(m.busy > 0 and m.other == 0, "put_packet to the dead peer stops at the send budget with ERR_BUSY: %s" % str(m))
	check(m.max_buffered <= SEND_BUDGET and m.max_buffered > SEND_BUDGET / 2, "buffered amount reaches, and stays within, the send budget (%d)" % m.max_buffered)
	check(bystander.echoed - echoes_before > 100, "the other connection kept flowing (%d echoes)" % (bystander.echoed - echoes_before))
	check(m.max_gap_ms < 5000, "no 5 s gap in its echoes (longest %d ms)" % m.max_gap_ms)
	var t := Time.get_ticks_msec()
	victim.pc.close()
	check_eq(victim.pc.get_connection_state(), WebRTCPeerConnection.STATE_CLOSED, "the failed connection closes")
	var close_ms := Time.get_ticks_msec() - t

	# A new connection, to a peer that was not there before.
	if not check(await wait_frames_until(func(): return joined.has(NEWCOMER), 30), "peer 4 joined"):
		return
	var newcomer := dial(NEWCOMER)
	check(await wait_frames_until(func():
		if newcomer.open():
			newcomer.ping()
		bystander.ping()
		return newcomer.echoed >= 20, 30), "a new connection after the kill carries messages (%d echoes)" % newcomer.echoed)
	print("SURVIVOR: disconnected_ms=%d failed_ms=%d close_ms=%d busy=%d ok=%d max_buffered=%d bystander_echoes=%d max_gap_ms=%d newcomer_echoes=%d" % [
		m.disconnected_ms, m.failed_ms, close_ms, m.busy, m.ok, m.max_buffered,
		bystander.echoed - echoes_before, m.max_gap_ms, newcomer.echoed])
	for l in [bystander, newcomer]:
		if l.open():
			l.bye()
	await wait_frames_until(func(): return false, 0.5)
