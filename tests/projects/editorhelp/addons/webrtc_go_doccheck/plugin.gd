@tool
extends EditorPlugin
# Asks the running editor for the help pages of our classes, the way a user
# does (Search Help, Ctrl+click): ScriptEditor.goto_help opens the page in an
# EditorHelp tab, whose RichTextLabel text is printed between HELP BEGIN/END
# lines. Also prints the methods and signals the classes register, so the Go
# side can check that each one is documented.

const CLASSES := ["WebRTCGoPeerConnection", "WebRTCGoDataChannel", "WebRTCGoAudioTrack"]
const PAGES := [
	"class_name:WebRTCGoPeerConnection",
	"class_method:WebRTCGoPeerConnection:get_stats",
	"class_method:WebRTCGoPeerConnection:get_last_error",
	"class_method:WebRTCGoPeerConnection:add_audio_track",
	"class_signal:WebRTCGoPeerConnection:error_occurred",
	"class_signal:WebRTCGoPeerConnection:track_received",
	"class_name:WebRTCGoDataChannel",
	"class_name:WebRTCGoAudioTrack",
	"class_method:WebRTCGoAudioTrack:push_frames",
	"class_method:WebRTCGoAudioTrack:get_frames",
	"class_method:WebRTCGoAudioTrack:get_available_frames",
	"class_method:WebRTCGoAudioTrack:get_mix_rate",
	"class_method:WebRTCGoAudioTrack:get_stats",
]
const PAGE_TIMEOUT_MSEC := 60000


func _enter_tree() -> void:
	_run.call_deferred()


func _run() -> void:
	# Let the editor finish starting (extension docs are merged in a deferred call).
	for i in 10:
		await get_tree().process_frame
	for cls in CLASSES:
		print("CLASS %s exists=%s" % [cls, ClassDB.class_exists(cls)])
		for m in ClassDB.class_get_method_list(cls, true):
			print("REGISTERED method %s %s" % [cls, m.name])
		for s in ClassDB.class_get_signal_list(cls, true):
			print("REGISTERED signal %s %s" % [cls, s.name])
	var script_editor := EditorInterface.get_script_editor()
	for page in PAGES:
		script_editor.goto_help(page)
		var text := await _page_text(script_editor, page.get_slice(":", 1))
		print("HELP BEGIN %s" % page)
		print(text)
		print("HELP END %s" % page)
	print("DOCCHECK DONE")
	get_tree().quit()


# Returns the text of the help tab showing cls once its RichTextLabel (which
# renders on a thread) has finished; "" if none did within PAGE_TIMEOUT_MSEC.
func _page_text(root: Node, cls: String) -> String:
	var deadline := Time.get_ticks_msec() + PAGE_TIMEOUT_MSEC
	while Time.get_ticks_msec() < deadline:
		for help in root.find_children("*", "EditorHelp", true, false):
			if not help.is_visible_in_tree():
				continue
			for label in help.find_children("*", "RichTextLabel", false, false):
				# The page starts with "Class: <name>" (spaces and a no-break space).
				var text: String = label.get_parsed_text()
				var title := text.get_slice("\n", 0)
				if label.is_finished() and title.begins_with("Class:") and title.ends_with(cls):
					return text
		await get_tree().process_frame
	return ""
