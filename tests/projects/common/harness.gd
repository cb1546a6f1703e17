# Base of the GDScript test scripts that binding_test.go runs in headless Godot
# (godot --headless --path <project> -s <test>.gd). Every method named test_*
# runs in order; each may await. The last line printed is always
#   SUMMARY: <passed> passed, <failed> failed
# and the exit code is 0 only if nothing failed.
extends SceneTree

var passed := 0
var failed := 0
var _current := ""
var _current_failed := false


func _initialize() -> void:
	_run.call_deferred()


func _run() -> void:
	var names: Array[String] = []
	for m in get_script().get_script_method_list():
		if m.name.begins_with("test_") and not names.has(m.name):
			names.append(m.name)
	var only := OS.get_environment("TEST_ONLY")
	for n in names:
		if only != "" and n != only:
			continue
		_current = n
		_current_failed = false
		print("RUN ", n)
		await call(n)
		if _current_failed:
			failed += 1
			print("FAIL ", n)
		else:
			passed += 1
			print("PASS ", n)
	print("SUMMARY: %d passed, %d failed" % [passed, failed])
	quit(0 if failed == 0 else 1)


## Records a failed check (with what was expected) without stopping the test.
func check(cond: bool, what: String) -> bool:
	if not cond:
		_current_failed = true
		print("  CHECK FAILED in %s: %s" % [_current, what])
	return cond


func check_eq(got, want, what: String) -> bool:
	return check(typeof(got) == typeof(want) and got == want, "%s: got %s, want %s" % [what, str(got), str(want)])


## Polls the given objects every frame until cond() is true; false on timeout.
func wait_until(cond: Callable, pollers: Array, timeout_sec := 15.0) -> bool:
	var deadline := Time.get_ticks_msec() + int(timeout_sec * 1000)
	while not cond.call():
		if Time.get_ticks_msec() > deadline:
			return false
		for p in pollers:
			if p != null:
				p.poll()
		await process_frame
	return true


## Polls for a number of frames.
func pump(pollers: Array, frames := 10) -> void:
	for i in frames:
		for p in pollers:
			if p != null:
				p.poll()
		await process_frame
