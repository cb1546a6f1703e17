# Benchmark runner through Godot (column a of the bench table): GDScript in
# headless Godot drives WebRTCPeerConnection and WebRTCDataChannel, which the
# extension implements. Both peers live in this process and are signaled directly.
# Run by the orchestrator (go run ./bench):
#   godot --headless --path <project> -s res://bench.gd -- [dur=2] [only=bulk,rtt,...]
# Prints BENCH {"k": <figure>, "v": <value>} lines, then BENCH_DONE.
#
# Headless Godot sleeps low_processor_usage_mode_sleep_usec (6900 us) every
# frame, since no window draws: about 145 frames per second, like a game with
# vsync. Figures are measured at that pacing, polling once per frame, except
# the busy-polled round trip and those named "uncapped" (sleep set to 0: the
# main loop spins, polling once per frame, and on 2 cores competes with pion's
# goroutines for the CPU, which measured slower than the default pacing).
# Connecting for the cost figures runs uncapped, only to be quick.
extends SceneTree

const BUFFER_LIMIT := 1 << 20
const MAX_MESSAGE := 256 << 10
const PINGS := 10000
const FRAME_PINGS := 100
const SETUP_PAIRS := 20
const COST_CONNS := 50
const POLL_CONNS := 100
const POLL_ROUNDS := 200
const PACED_SLEEP_USEC := 6900

var dur_usec := 2000000
var only: PackedStringArray = []
var failed := false


func _initialize() -> void:
	for arg in OS.get_cmdline_user_args():
		if arg.begins_with("dur="):
			dur_usec = int(float(arg.substr(4)) * 1e6)
		elif arg.begins_with("only="):
			only = arg.substr(5).split(",")
	_run.call_deferred()


func emit(key: String, v: float) -> void:
	print("BENCH ", JSON.stringify({"k": key, "v": v}))


func fail(what: String) -> void:
	failed = true
	printerr("bench: ", what)


func _run() -> void:
	for phase in ["bulk", "unordered", "rtt", "setup", "cost"]:
		if only.is_empty() or only.has(phase):
			await call(phase)
	print("BENCH_DONE")
	quit(1 if failed else 0)


func uncapped(on: bool) -> void:
	OS.low_processor_usage_mode_sleep_usec = 0 if on else PACED_SLEEP_USEC


## Makes two connected peers with one channel from a to b, polling once per
## frame. Returns {a, b, ca, cb, usec, frames} (usec and frames from
## create_offer to both channels open), or {} on failure.
func connect_pair(opts := {}) -> Dictionary:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	a.initialize({})
	b.initialize({})
	a.session_description_created.connect(func(t, s): a.set_local_description(t, s); b.set_remote_description(t, s))
	b.session_description_created.connect(func(t, s): b.set_local_description(t, s); a.set_remote_description(t, s))
	a.ice_candidate_created.connect(func(m, i, n): b.add_ice_candidate(m, i, n))
	b.ice_candidate_created.connect(func(m, i, n): a.add_ice_candidate(m, i, n))
	var pair := {"a": a, "b": b, "ca": a.create_data_channel("bench", opts), "cb": null}
	b.data_channel_received.connect(func(ch): pair.cb = ch)
	var start := Time.get_ticks_usec()
	var frames := 0
	a.create_offer()
	while not (_is_open(pair.ca) and _is_open(pair.cb)):
		if Time.get_ticks_usec() - start > 15000000:
			fail("channels not open after 15 s")
			close_pair(pair)
			return {}
		a.poll()
		b.poll()
		await process_frame
		frames += 1
	pair.usec = Time.get_ticks_usec() - start
	pair.frames = frames
	return pair


func _is_open(ch) -> bool:
	return ch != null and ch.get_ready_state() == WebRTCDataChannel.STATE_OPEN


func close_pair(p: Dictionary) -> void:
	p.a.close()
	p.b.close()


## Sends size-byte messages for warm + dur, keeping the buffered amount under
## BUFFER_LIMIT, polling and reading once per frame. Returns sent messages,
## received messages, and from warm on: bytes, seconds and CPU seconds.
func push_for(p: Dictionary, size: int, warm_usec: int) -> Dictionary:
	var msg := PackedByteArray()
	msg.resize(size)
	var ca: WebRTCDataChannel = p.ca
	var cb: WebRTCDataChannel = p.cb
	var r := {"sent": 0, "msgs": 0, "bytes": 0}
	var start := Time.get_ticks_usec()
	var t0 := -1
	var b0 := 0
	var c0 := 0.0
	while Time.get_ticks_usec() - start < warm_usec + dur_usec:
		if t0 < 0 and Time.get_ticks_usec() - start >= warm_usec:
			t0 = Time.get_ticks_usec()
			b0 = r.bytes
			c0 = cpu_seconds()
		p.a.poll()
		p.b.poll()
		while ca.get_buffered_amount() < BUFFER_LIMIT:
			if ca.put_packet(msg) != OK:
				fail("put_packet failed")
				return r
			r.sent += 1
		while cb.get_available_packet_count() > 0:
			r.bytes += cb.get_packet().size()
			r.msgs += 1
		await process_frame
	r.secs = (Time.get_ticks_usec() - t0) / 1e6
	r.cpu = cpu_seconds() - c0
	r.bytes -= b0
	return r


## Bulk on a reliable ordered channel, polling once per frame at the default
## pacing (with the CPU per GB), then with uncapped frames.
func bulk() -> void:
	for f in [["bulk16k", 16 << 10, false], ["bulkmax", MAX_MESSAGE, false], ["bulk16k_uncapped", 16 << 10, true]]:
		uncapped(f[2])
		var p := await connect_pair()
		if p.is_empty():
			return
		var r := await push_for(p, f[1], 300000)
		close_pair(p)
		if r.bytes == 0:
			fail(f[0] + ": nothing received")
			continue
		emit(f[0] + "_mbps", r.bytes / r.secs / 1e6)
		if f[0] == "bulk16k":
			emit("cpu_s_per_gb", r.cpu / (r.bytes / 1e9))
	uncapped(false)


func unordered() -> void:
	var p := await connect_pair({"ordered": false, "maxRetransmits": 0})
	if p.is_empty():
		return
	var start := Time.get_ticks_usec()
	var r := await push_for(p, 1024, 0)
	var secs := (Time.get_ticks_usec() - start) / 1e6
	var cb: WebRTCDataChannel = p.cb
	var until := Time.get_ticks_usec() + 500000
	while Time.get_ticks_usec() < until:
		p.a.poll()
		p.b.poll()
		while cb.get_available_packet_count() > 0:
			cb.get_packet()
			r.msgs += 1
		await process_frame
	emit("unord_msgs", r.msgs / secs)
	emit("unord_loss", 100.0 * (1.0 - float(r.msgs) / r.sent))
	close_pair(p)


## Round trips of 64-byte messages: busy-polling in one loop (both ends read
## as soon as a message is there), then polled once per paced frame.
func rtt() -> void:
	uncapped(true)
	var p := await connect_pair()
	if p.is_empty():
		return
	var ca: WebRTCDataChannel = p.ca
	var cb: WebRTCDataChannel = p.cb
	var msg := PackedByteArray()
	msg.resize(64)
	var times := PackedFloat64Array()
	for i in PINGS + 200:
		var t := Time.get_ticks_usec()
		var deadline := t + 5000000
		ca.put_packet(msg)
		while cb.get_available_packet_count() == 0:
			if Time.get_ticks_usec() > deadline:
				fail("ping: no echo request within 5 s")
				close_pair(p)
				return
		cb.put_packet(cb.get_packet())
		while ca.get_available_packet_count() == 0:
			if Time.get_ticks_usec() > deadline:
				fail("ping: no echo within 5 s")
				close_pair(p)
				return
		ca.get_packet()
		if i >= 200:
			times.append(Time.get_ticks_usec() - t)
	times.sort()
	emit("rtt_p50_us", times[times.size() / 2])
	emit("rtt_p99_us", times[times.size() * 99 / 100])
	uncapped(false)
	times.clear()
	for i in FRAME_PINGS:
		var t := Time.get_ticks_usec()
		ca.put_packet(msg)
		var echoed := false
		while true:
			if Time.get_ticks_usec() - t > 5000000:
				fail("frame-polled ping timed out")
				close_pair(p)
				return
			await process_frame
			p.a.poll()
			p.b.poll()
			if not echoed and cb.get_available_packet_count() > 0:
				cb.put_packet(cb.get_packet())
				echoed = true
			if ca.get_available_packet_count() > 0:
				ca.get_packet()
				break
		times.append(Time.get_ticks_usec() - t)
	times.sort()
	emit("rtt_frame_p50_us", times[times.size() / 2])
	close_pair(p)


## Setup of 20 fresh pairs, from create_offer to both channels open: at the
## default pacing, at 60 frames/s (a game with vsync on a 60 Hz display), and
## uncapped.
func setup() -> void:
	for pace in ["default", "60fps", "uncapped"]:
		uncapped(pace == "uncapped")
		if pace == "60fps":
			OS.low_processor_usage_mode_sleep_usec = 16667
		var ms := PackedFloat64Array()
		var frames := PackedFloat64Array()
		for i in SETUP_PAIRS:
			var p := await connect_pair()
			if p.is_empty():
				return
			ms.append(p.usec / 1000.0)
			frames.append(p.frames)
			close_pair(p)
		ms.sort()
		frames.sort()
		match pace:
			"default":
				emit("setup_ms", ms[ms.size() / 2])
				emit("setup_frames", frames[frames.size() / 2])
			"60fps":
				emit("setup_60fps_frames", frames[frames.size() / 2])
			"uncapped":
				emit("setup_uncapped_ms", ms[ms.size() / 2])
	uncapped(false)


## RSS per established connection, then the time of one poll() call with
## POLL_CONNS idle connections open.
func cost() -> void:
	uncapped(true)
	var pairs: Array[Dictionary] = []
	await settle()
	var rss0 := rss_kib()
	while pairs.size() * 2 < COST_CONNS:
		var p := await connect_pair()
		if p.is_empty():
			return
		pairs.append(p)
	await settle()
	emit("rss_kib_per_conn", float(rss_kib() - rss0) / (pairs.size() * 2))
	while pairs.size() * 2 < POLL_CONNS:
		var p := await connect_pair()
		if p.is_empty():
			return
		pairs.append(p)
	var pcs: Array[WebRTCPeerConnection] = []
	for p in pairs:
		pcs.append(p.a)
		pcs.append(p.b)
	for pc in pcs:
		pc.poll()
	var start := Time.get_ticks_usec()
	for i in POLL_ROUNDS:
		for pc in pcs:
			pc.poll()
	var per := float(Time.get_ticks_usec() - start) / (POLL_ROUNDS * pcs.size())
	emit("poll_us", per)
	emit("poll_sweep_us", per * pcs.size())
	for p in pairs:
		close_pair(p)
	uncapped(false)


func settle() -> void:
	var until := Time.get_ticks_usec() + 500000
	while Time.get_ticks_usec() < until:
		await process_frame


func rss_kib() -> int:
	var f := FileAccess.open("/proc/self/status", FileAccess.READ)
	while f != null and not f.eof_reached():
		var l := f.get_line()
		if l.begins_with("VmRSS:"):
			return int(l.split(":")[1].strip_edges().split(" ")[0])
	return 0


## User plus system CPU seconds of this process (/proc/self/stat, 100 ticks/s).
func cpu_seconds() -> float:
	var f := FileAccess.open("/proc/self/stat", FileAccess.READ)
	if f == null:
		return 0.0
	var line := f.get_line()
	var fields := line.substr(line.rfind(")") + 2).split(" ")
	return (int(fields[11]) + int(fields[12])) / 100.0
