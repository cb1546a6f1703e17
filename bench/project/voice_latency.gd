# Mouth-to-ear latency of voice between two Godot processes (bench/voice.go
# starts both inside the bench's namespace). They join a signaling room; the
# first speaks, the second listens, each polling once per frame at fps frames
# per second (fps=0: headless Godot's default pacing, about 145/s).
#
# The speaker's microphone is simulated as a game would read one: each frame
# it pushes what was "captured" since the last frame, sample i having been
# captured at start + i / rate. What it captures is silence with a 1 kHz burst
# of 100 ms every 400 ms; it prints MOUTH <unix µs> for the capture time of
# each burst's first sample. The listener reads all decoded audio each frame,
# as a game feeding an AudioStreamGenerator; sample j of what it reads at
# time t plays at the earliest at t + j / rate, and for each burst's first
# loud sample it prints EAR <that time in unix µs>. The jitter buffer is
# included; the generator's own buffer and the sound card's are not.
#   godot --headless --path <project> -s res://voice_latency.gd -- url=<signaling> fps=60 seconds=12
extends SceneTree

const Signaling = preload("res://signaling_client.gd")
const PERIOD := 0.4
const BURST := 0.1
const TONE_HZ := 1000.0

var signaling = Signaling.new()
var pc := WebRTCPeerConnection.new()
var other := 0
var track: WebRTCGoAudioTrack
var heard: WebRTCGoAudioTrack
var seconds := 12.0
var deadline := 0
var end_at := -1
var rate := 0.0
# speaker
var start_usec := -1
var start_unix := 0.0
var made := 0
# listener
var armed := true
var quiet := 0


func _initialize() -> void:
	var url := ""
	for arg in OS.get_cmdline_user_args():
		if arg.begins_with("url="):
			url = arg.substr(4)
		elif arg.begins_with("fps="):
			Engine.max_fps = int(arg.substr(4))
		elif arg.begins_with("seconds="):
			seconds = float(arg.substr(8))
	deadline = Time.get_ticks_msec() + 60000
	rate = AudioServer.get_mix_rate()
	signaling.welcomed.connect(func(_id, peers):
		if not peers.is_empty():
			other = int(peers[0])
			pc.create_offer())
	signaling.peer_joined.connect(func(id): other = id)
	signaling.message.connect(_on_message)
	pc.session_description_created.connect(func(type, sdp):
		pc.set_local_description(type, sdp)
		signaling.send(other, {"type": type, "sdp": sdp}))
	pc.ice_candidate_created.connect(func(media, index, name):
		signaling.send(other, {"type": "candidate", "media": media, "index": index, "name": name}))
	pc.connect("track_received", func(t): heard = t)
	pc.initialize({})
	track = pc.add_audio_track()
	signaling.connect_to(url)


func _on_message(from: int, msg: Dictionary) -> void:
	other = from
	match msg.type:
		"offer", "answer":
			pc.set_remote_description(msg.type, msg.sdp)
		"candidate":
			pc.add_ice_candidate(msg.media, int(msg.index), msg.name)


func _process(_delta: float) -> bool:
	signaling.poll()
	pc.poll()
	if Time.get_ticks_msec() > deadline:
		printerr("voice_latency: timed out")
		quit(1)
		return true
	if heard == null:
		return false
	if end_at < 0:
		end_at = Time.get_ticks_msec() + int(seconds * 1000)
	if signaling.id == 1:
		speak()
	else:
		listen()
	if Time.get_ticks_msec() > end_at:
		var s: Dictionary = heard.get_stats() if signaling.id != 1 else track.get_stats()
		print("STATS ", JSON.stringify(s))
		print("LATENCY_DONE")
		pc.close()
		quit(0)
		return true
	return false


func speak() -> void:
	var now := Time.get_ticks_usec()
	if start_usec < 0:
		start_usec = now
		start_unix = Time.get_unix_time_from_system()
	var target := int((now - start_usec) * rate / 1000000.0)
	# A capture buffer holds 0.1 s: after a longer stall the rest is lost.
	var first: int = max(made, target - int(0.1 * rate))
	var frames := PackedVector2Array()
	frames.resize(target - first)
	var period := int(PERIOD * rate)
	var burst := int(BURST * rate)
	for i in frames.size():
		var n := first + i
		var p := n % period
		var v := 0.0
		if p < burst:
			v = 0.5 * sin(TAU * TONE_HZ * p / rate)
		if p == 0:
			print("MOUTH %d" % int((start_unix + n / rate) * 1000000.0))
		frames[i] = Vector2(v, v)
	made = target
	track.push_frames(frames)


func listen() -> void:
	var t := Time.get_unix_time_from_system()
	var got := heard.get_frames(heard.get_available_frames())
	for j in got.size():
		var v: float = abs(got[j].x)
		if armed:
			if v > 0.1:
				print("EAR %d" % int((t + j / rate) * 1000000.0))
				armed = false
				quiet = 0
		elif v < 0.02:
			quiet += 1
			if quiet > int(0.05 * rate):
				armed = true
		else:
			quiet = 0
