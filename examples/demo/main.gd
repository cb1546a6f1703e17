## Headless demo: godot --headless --path examples/demo -s res://main.gd -- URL [CLIENTS]
## The first process in the signaling room is the host; it waits for CLIENTS
## clients (default 2), exchanges RPCs with them and prints what happens.
## Voice runs alongside (voice.gd): headless, each peer sends a tone and
## prints the pitch it heard from the others before it quits.
extends SceneTree

const Network = preload("res://network.gd")

var network = Network.new()
var game: Node
var voice: Node
var done_at := -1
var deadline := 0


func _initialize() -> void:
	var args := OS.get_cmdline_user_args()
	var url := args[0] if args.size() > 0 else "ws://127.0.0.1:9080/demo"
	game = preload("res://game.gd").new()
	game.name = "Game"
	game.expected_clients = int(args[1]) if args.size() > 1 else 2
	game.network = network
	root.add_child(game)
	network.who = game.who
	voice = preload("res://voice.gd").new()
	voice.name = "Voice"
	voice.network = network
	root.add_child(voice)
	network.ready_to_play.connect(func(peer): root.multiplayer.multiplayer_peer = peer)
	deadline = Time.get_ticks_msec() + 60000
	if network.start(url) != OK:
		print("cannot reach signaling at ", url)
		quit(1)


func _process(_delta: float) -> bool:
	network.poll()
	if Time.get_ticks_msec() > deadline:
		print("DEMO TIMEOUT")
		quit(1)
		return true
	if game.finished and voice.done() and done_at < 0:
		done_at = Time.get_ticks_msec()
	# Let the last reliable messages leave before closing, and the others
	# finish hearing this side's voice.
	if done_at >= 0 and Time.get_ticks_msec() - done_at > 1000:
		print("%s: DEMO OK" % game.who())
		root.multiplayer.multiplayer_peer.close()
		quit(0)
		return true
	return false
