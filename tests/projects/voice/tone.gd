## A stereo test tone generated at the pace of the clock, and the measures
## the voice tests take of the audio that arrived.
extends RefCounted

var rate: float
var freq_l: float
var freq_r: float
var amp: float
var _phase_l := 0.0
var _phase_r := 0.0
var _start_usec := -1
var _made := 0


func _init(p_rate: float, p_freq_l: float, p_freq_r: float, p_amp: float) -> void:
	rate = p_rate
	freq_l = p_freq_l
	freq_r = p_freq_r
	amp = p_amp


## Frames lost because the game stalled longer than a capture buffer holds.
var overflowed := 0


## Returns the frames due since the previous call: what a microphone would
## have captured meanwhile (the first call returns none, and starts the
## clock). As AudioEffectCapture with its default 0.1 s buffer, it keeps at
## most 0.1 s: after a longer stall of the game, the rest is lost.
func due() -> PackedVector2Array:
	var now := Time.get_ticks_usec()
	if _start_usec < 0:
		_start_usec = now
	var target := int((now - _start_usec) * rate / 1000000.0)
	var n := target - _made
	var cap := int(0.1 * rate)
	if n > cap:
		overflowed += n - cap
		n = cap
	_made = target
	return make(n)


## Returns the next n frames of the tone.
func make(n: int) -> PackedVector2Array:
	var out := PackedVector2Array()
	out.resize(max(n, 0))
	var step_l := TAU * freq_l / rate
	var step_r := TAU * freq_r / rate
	for i in out.size():
		out[i] = Vector2(amp * sin(_phase_l), amp * sin(_phase_r))
		_phase_l = fmod(_phase_l + step_l, TAU)
		_phase_r = fmod(_phase_r + step_r, TAU)
	return out


## Measures channel (0 left, 1 right) of frames at rate, after skipping the
## first skip_sec (codec and resampler ramp-up): its frequency from upward
## zero crossings (with hysteresis, so noise near zero does not count) and
## its RMS level. {freq, rms, seconds}
static func measure(frames: PackedVector2Array, p_rate: float, channel: int, skip_sec := 0.2) -> Dictionary:
	var start := int(skip_sec * p_rate)
	var n := frames.size() - start
	if n <= 0:
		return {"freq": 0.0, "rms": 0.0, "seconds": 0.0}
	var sum := 0.0
	for i in range(start, frames.size()):
		var v: float = frames[i][channel]
		sum += v * v
	var rms := sqrt(sum / n)
	var h := rms * 0.2
	var low := false
	var first := -1
	var last := -1
	var ups := 0
	for i in range(start, frames.size()):
		var v: float = frames[i][channel]
		if v < -h:
			low = true
		elif v > h and low:
			low = false
			if first < 0:
				first = i
			else:
				ups += 1
			last = i
	var freq := 0.0
	if ups > 0:
		freq = ups * p_rate / float(last - first)
	return {"freq": freq, "rms": rms, "seconds": n / p_rate}
