# Long run: SOAK_CYCLES (default 1000) full connection cycles in this one
# process, SOAK_PARALLEL (default 4) at a time. A cycle connects two
# WebRTCPeerConnections through the in-process relay, opens a channel,
# exchanges messages both ways, then ends: even cycles close everything
# explicitly, odd ones only drop every reference (Godot frees, we close).
# After SOAK_WARMUP cycles (default 20) and at the end it measures, once the
# closed connections' goroutines have wound down: the process RSS
# (/proc/self/status), its open file descriptors (/proc/self/fd) and the Go
# side's figures (get_stats().runtime). It prints them on a SOAK line, which
# binding_test.go checks against its tolerances.
extends "res://harness.gd"

const Relay = preload("res://relay.gd")
const MESSAGES := 3

var probe := WebRTCPeerConnection.new() # never connected: get_stats().runtime only
var started := 0
var done := 0
var failures := 0


func env_int(name: String, fallback: int) -> int:
	var v := OS.get_environment(name)
	return int(v) if v != "" else fallback


func open(ch: WebRTCDataChannel) -> bool:
	return ch != null and ch.get_ready_state() == WebRTCDataChannel.STATE_OPEN


## VmRSS of this process in KiB (from /proc/self/status; /proc files report
## no length, so read line by line).
func rss_kib() -> int:
	var f := FileAccess.open("/proc/self/status", FileAccess.READ)
	if f == null:
		return -1
	while not f.eof_reached():
		var line := f.get_line()
		if line.begins_with("VmRSS:"):
			return int(line.split(":")[1].strip_edges().split(" ")[0])
	return -1


## Open file descriptors of this process (entries of /proc/self/fd; the
## listing's own descriptor is counted every time).
func fd_count() -> int:
	var d := DirAccess.open("/proc/self/fd")
	if d == null:
		return -1
	var n := 0
	d.list_dir_begin()
	var name := d.get_next()
	while name != "":
		n += 1
		name = d.get_next()
	d.list_dir_end()
	return n


func runtime_stats() -> Dictionary:
	return probe.get_stats().runtime


## Waits (bounded) for the goroutines of closed connections to end, then
## returns [rss_kib, fds, goroutines, live_connections, go_heap_live_kib,
## gc_cycles].
func measure(goroutines_at_most: int) -> Array:
	var deadline := Time.get_ticks_msec() + 15000
	while Time.get_ticks_msec() < deadline:
		await process_frame
		var rt := runtime_stats()
		if rt.live_connections == 1 and rt.goroutines <= goroutines_at_most:
			break
	# A few more frames: channels freed by Godot close on its next frames.
	await pump([], 30)
	var rt := runtime_stats()
	return [rss_kib(), fd_count(), rt.goroutines, rt.live_connections, rt.go_heap_live_bytes / 1024, rt.gc_cycles]


## One full cycle; false (with the reason printed) if any step failed.
func cycle(n: int) -> bool:
	var r = Relay.new()
	var ids: Array[int] = r.pair()
	var a: WebRTCPeerConnection = r.peers[ids[0]]
	var ch := a.create_data_channel("soak-%d" % n)
	if ch == null or a.create_offer() != OK:
		print("  cycle %d: cannot create the channel or offer" % n)
		return false
	var ok: bool = await wait_until(func(): return r.received[ids[1]].size() == 1 and open(ch) \
		and open(r.received[ids[1]][0]), [r], 20)
	if not ok:
		print("  cycle %d: not connected within 20 s (state %d)" % [n, a.get_connection_state()])
		return false
	var other: WebRTCDataChannel = r.received[ids[1]][0]
	for i in MESSAGES:
		ch.put_packet(("ping %d.%d" % [n, i]).to_utf8_buffer())
	var got: Array[String] = []
	ok = await wait_until(func():
		while other.get_available_packet_count() > 0:
			var m := other.get_packet().get_string_from_utf8()
			got.append(m)
			other.put_packet(m.replace("ping", "pong").to_utf8_buffer())
		return got.size() == MESSAGES, [r], 10)
	var back: Array[String] = []
	ok = ok and await wait_until(func():
		while ch.get_available_packet_count() > 0:
			back.append(ch.get_packet().get_string_from_utf8())
		return back.size() == MESSAGES, [r], 10)
	if not ok or got[MESSAGES - 1] != "ping %d.%d" % [n, MESSAGES - 1] or back[0] != "pong %d.0" % n:
		print("  cycle %d: exchange failed: %s / %s" % [n, str(got), str(back)])
		return false
	if n % 2 == 0:
		ch.close()
		a.close()
		r.peers[ids[1]].close()
	return true # odd cycles: r, the peers and the channels are dropped here


## Runs cycles until target have started (several workers run at once).
func worker(target: int) -> void:
	while started < target:
		var n := started
		started += 1
		if not await cycle(n):
			failures += 1
		done += 1


func run_cycles(total: int, parallel: int) -> void:
	var start := done
	var target := done + total
	var running := [0]
	for w in parallel:
		running[0] += 1
		(func():
			await worker(target)
			running[0] -= 1).call()
	var last := start
	while running[0] > 0:
		await process_frame
		if done / 100 > last / 100:
			var rt := runtime_stats()
			print("SOAK-PROGRESS cycle=%d rss_kib=%d goroutines=%d live=%d" % [done, rss_kib(), rt.goroutines, rt.live_connections])
		last = done


func test_thousand_connection_cycles() -> void:
	var cycles := env_int("SOAK_CYCLES", 1000)
	var warmup := env_int("SOAK_WARMUP", 20)
	var parallel := env_int("SOAK_PARALLEL", 4)
	var idle: int = runtime_stats().goroutines
	await run_cycles(warmup, parallel)
	var before: Array = await measure(idle + 2)
	var t0 := Time.get_ticks_msec()
	await run_cycles(cycles, parallel)
	var seconds := (Time.get_ticks_msec() - t0) / 1000.0
	var after: Array = await measure(before[2])
	check_eq(failures, 0, "failed cycles")
	check(before[0] > 0 and before[1] > 0, "RSS and descriptors readable from /proc/self")
	check_eq(after[3], 1, "live connections at the end (the probe only)")
	print("SOAK: cycles=%d parallel=%d seconds=%.1f rss_kib=%d->%d fds=%d->%d goroutines=%d->%d live=%d->%d go_heap_live_kib=%d->%d gc=%d->%d" % [
		cycles, parallel, seconds, before[0], after[0], before[1], after[1], before[2], after[2],
		before[3], after[3], before[4], after[4], before[5], after[5]])
