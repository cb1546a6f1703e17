## Voice chat for the demo: every connection carries an audio track each way
## (network.gd adds them). With a display, the microphone is sent while
## push-to-talk (V) is held; headless, a tone is sent all the time, its pitch
## telling the peers apart (330 Hz + 110 Hz × peer id: the host's is 440 Hz).
## Each peer's voice plays through an AudioStreamGenerator. Headless, each
## process also prints the pitch it heard from each peer, once it has heard
## a second of it.
extends Node

const PUSH_TO_TALK := "push_to_talk"
const MEASURE_SECONDS := 1.0

var network # set by main.gd
var sending := {} # peer id -> this side's WebRTCGoAudioTrack
var hearing := {} # peer id -> {track, playback, heard: PackedVector2Array, reported}
var headless := DisplayServer.get_name() == "headless"
var capture: AudioEffectCapture
var tone_hz := 0.0
var _phase := 0.0
var _tone_start := -1
var _tone_made := 0


func _ready() -> void:
	network.track_added.connect(func(id, track): sending[id] = track)
	network.track_received.connect(_on_track_received)
	# A peer that left has its connection closed: stop sending to it.
	multiplayer.peer_disconnected.connect(func(id): sending.erase(id))
	if headless:
		return
	# The microphone: AudioStreamMicrophone plays on a muted bus whose
	# AudioEffectCapture keeps what it captured for push_frames.
	AudioServer.add_bus()
	var bus := AudioServer.bus_count - 1
	AudioServer.set_bus_name(bus, "Microphone")
	AudioServer.set_bus_mute(bus, true)
	capture = AudioEffectCapture.new()
	AudioServer.add_bus_effect(bus, capture)
	var mic := AudioStreamPlayer.new()
	mic.stream = AudioStreamMicrophone.new()
	mic.bus = "Microphone"
	add_child(mic)
	mic.play()
	var key := InputEventKey.new()
	key.physical_keycode = KEY_V
	InputMap.add_action(PUSH_TO_TALK)
	InputMap.action_add_event(PUSH_TO_TALK, key)
	print("voice: hold V to talk")


func _on_track_received(id: int, track: WebRTCGoAudioTrack) -> void:
	var generator := AudioStreamGenerator.new()
	generator.mix_rate = track.get_mix_rate()
	generator.buffer_length = 0.2
	var player := AudioStreamPlayer.new()
	player.stream = generator
	add_child(player)
	player.play()
	hearing[id] = {"track": track, "playback": player.get_stream_playback(), "heard": PackedVector2Array(), "reported": false}


func _process(_delta: float) -> void:
	var frames := _captured()
	for id in sending:
		if frames.size() > 0:
			sending[id].push_frames(frames)
	for id in hearing:
		var h: Dictionary = hearing[id]
		var playback: AudioStreamGeneratorPlayback = h.playback
		var track: WebRTCGoAudioTrack = h.track
		if not headless:
			playback.push_buffer(track.get_frames(playback.get_frames_available()))
			continue
		# Headless audio may not drain the generator: read everything, play
		# what fits, and measure it.
		var got := track.get_frames(track.get_available_frames())
		playback.push_buffer(got.slice(0, playback.get_frames_available()))
		if not h.reported:
			h.heard.append_array(got)
			if h.heard.size() >= MEASURE_SECONDS * track.get_mix_rate():
				h.reported = true
				print("%s: voice from peer %d: %.0f Hz" % [network.who.call(), id, pitch(h.heard, track.get_mix_rate())])


## done is true once every peer's voice was heard (headless; with a display
## there is nothing to wait for).
func done() -> bool:
	if not headless:
		return true
	for id in hearing:
		if not hearing[id].reported:
			return false
	return not hearing.is_empty()


## Returns what to send this frame: the microphone's capture while
## push-to-talk is held (what it captured otherwise is dropped), or headless
## the tone made since the previous frame.
func _captured() -> PackedVector2Array:
	if headless:
		return _tone()
	var frames := capture.get_buffer(capture.get_frames_available())
	return frames if Input.is_action_pressed(PUSH_TO_TALK) else PackedVector2Array()


func _tone() -> PackedVector2Array:
	if tone_hz == 0.0:
		if network.id() == 0:
			return PackedVector2Array()
		tone_hz = 330.0 + 110.0 * network.id()
	var rate := AudioServer.get_mix_rate()
	var now := Time.get_ticks_usec()
	if _tone_start < 0:
		_tone_start = now
	var target := int((now - _tone_start) * rate / 1000000.0)
	var out := PackedVector2Array()
	out.resize(clampi(target - _tone_made, 0, int(rate / 10)))
	_tone_made = target
	for i in out.size():
		var v := 0.3 * sin(_phase)
		out[i] = Vector2(v, v)
		_phase = fmod(_phase + TAU * tone_hz / rate, TAU)
	return out


## The pitch of frames: upward zero crossings of the left channel over the
## time they span, after a 0.2 s start.
static func pitch(frames: PackedVector2Array, rate: float) -> float:
	var first := -1
	var last := -1
	var ups := 0
	var low := false
	for i in range(int(0.2 * rate), frames.size()):
		var v := frames[i].x
		if v < -0.05:
			low = true
		elif v > 0.05 and low:
			low = false
			if first < 0:
				first = i
			else:
				ups += 1
			last = i
	return ups * rate / float(last - first) if ups > 0 else 0.0
