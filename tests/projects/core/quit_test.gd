# Connects QUIT_PAIRS pairs (default 5), starts sending on all of them, then
# quits without closing anything: Godot must exit 0, promptly, without a crash.
extends SceneTree

const Relay = preload("res://relay.gd")

var relay = Relay.new()
var channels: Array = []
var frames := 0


func _initialize() -> void:
	var pairs := int(OS.get_environment("QUIT_PAIRS")) if OS.get_environment("QUIT_PAIRS") != "" else 5
	for i in pairs:
		var ids: Array[int] = relay.pair()
		channels.append(relay.peers[ids[0]].create_data_channel("c%d" % i))
		relay.peers[ids[0]].create_offer()


func _process(_delta: float) -> bool:
	frames += 1
	relay.poll()
	var all_open := channels.all(func(c): return c.get_ready_state() == WebRTCDataChannel.STATE_OPEN)
	if all_open:
		var payload := PackedByteArray()
		payload.resize(8192)
		for c in channels:
			c.put_packet(payload)
	if (all_open and frames > 20) or frames > 3000:
		print("QUITTING with open connections (all open: %s)" % all_open)
		return true
	return false
