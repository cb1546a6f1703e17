package main

import (
	"errors"
	"fmt"
	"sync"

	"github.com/godot-webrtc-go/godot-webrtc-go/binding"
	"github.com/godot-webrtc-go/godot-webrtc-go/extension"
)

// audioTrack is the Go side of a WebRTCGoAudioTrack object.
type audioTrack struct {
	t *extension.AudioTrack // nil for an object a script constructed itself
}

var audioTrackClass *binding.Class[*audioTrack]

func newAudioTrackObject(t *extension.AudioTrack) binding.Object {
	return audioTrackClass.NewObject(func(binding.Object, binding.Slots) *audioTrack { return &audioTrack{t: t} })
}

func registerAudioTrack() { audioTrackClass = binding.Register(audioTrackSpec()) }

// errNoTrack is what a WebRTCGoAudioTrack.new() made by a script answers: it
// belongs to no connection.
var errNoTrack = &extension.CodeError{Code: extension.ErrUnconfigured, Err: errors.New(
	"this WebRTCGoAudioTrack was constructed by a script and carries no audio; use the one add_audio_track() returns or track_received gives")}

// audioTrackSpec describes the class, documented in doc_classes/WebRTCGoAudioTrack.xml.
func audioTrackSpec() binding.ClassSpec[*audioTrack] {
	type at = *audioTrack
	return binding.ClassSpec[at]{
		Name:   audioTrackClassName,
		Parent: "RefCounted",
		// Scripts may construct one: it is inert (see errNoTrack). The
		// connection closes real tracks, so freeing one has nothing to do.
		New:  func(binding.Object, binding.Slots) at { return &audioTrack{} },
		Free: func(at) {},
		Methods: []binding.Method[at]{
			{Name: "push_frames", Args: []binding.Arg{{Name: "frames", Type: binding.TypePackedVector2Array}},
				Ret: binding.TypeInt, RetClass: "Error", Call: at.pushFrames},
			{Name: "get_frames", Args: []binding.Arg{{Name: "max_frames", Type: binding.TypeInt}},
				Ret: binding.TypePackedVector2Array, Call: at.getFrames},
			{Name: "get_available_frames", Ret: binding.TypeInt, Call: func(a at, _ binding.MethodArgs) any {
				if a.t == nil {
					return int64(0)
				}
				return int64(a.t.Available())
			}},
			{Name: "get_mix_rate", Ret: binding.TypeInt, Call: func(a at, _ binding.MethodArgs) any {
				if a.t == nil {
					return int64(0)
				}
				return int64(a.t.MixRate())
			}},
			{Name: "get_stats", Ret: binding.TypeDictionary, Call: func(a at, _ binding.MethodArgs) any {
				if a.t == nil {
					return map[string]any{}
				}
				return a.t.Stats()
			}},
		},
	}
}

// pushFrames implements push_frames(frames: PackedVector2Array) -> Error.
// ERR_BUSY is the documented back-pressure of a game pushing faster than
// real time, so it is returned without printing; every other error prints.
func (a *audioTrack) pushFrames(args binding.MethodArgs) any {
	if a.t == nil {
		binding.PrintError(errNoTrack)
		return int64(extension.ErrUnconfigured)
	}
	err := a.t.Push(args.Vector2s(0))
	if code := extension.Code(err); code != extension.OK && code != extension.ErrBusy {
		binding.PrintError(err)
	}
	return int64(extension.Code(err))
}

// getFrames implements get_frames(max_frames: int) -> PackedVector2Array:
// the decoded frames are copied straight into the array's memory.
func (a *audioTrack) getFrames(args binding.MethodArgs) any {
	max := args.Int(0)
	switch {
	case max < 0:
		binding.PrintError(fmt.Errorf("get_frames: max_frames is %d, want 0 or more", max))
		return binding.Vector2Frames{}
	case a.t == nil:
		return binding.Vector2Frames{}
	}
	n := int(min(max, int64(a.t.Available())))
	return binding.Vector2Frames{Frames: n, Fill: a.t.ReadFrames}
}

// trackObjects maps a connection's tracks to their WebRTCGoAudioTrack
// objects, holding a reference to each: the same track is always the same
// object (add_audio_track's result, track_received's argument), and lives as
// long as the connection unless the connection is closed.
type trackObjects struct {
	mu   sync.Mutex
	objs map[*extension.AudioTrack]trackObject
}

type trackObject struct {
	obj binding.Object
	ref binding.Ref
}

// object returns t's object, creating it on first use.
func (o *trackObjects) object(t *extension.AudioTrack) binding.Object {
	o.mu.Lock()
	defer o.mu.Unlock()
	if to, ok := o.objs[t]; ok {
		return to.obj
	}
	if o.objs == nil {
		o.objs = map[*extension.AudioTrack]trackObject{}
	}
	obj := newAudioTrackObject(t)
	o.objs[t] = trackObject{obj: obj, ref: binding.NewRef(obj)}
	return obj
}

// release drops the references: the connection's tracks are closed.
func (o *trackObjects) release() {
	o.mu.Lock()
	objs := o.objs
	o.objs = nil
	o.mu.Unlock()
	for _, to := range objs {
		to.ref.Release()
	}
}

var mixRateOnce sync.Once

// useAudioServerMixRate makes the AudioServer's mix rate the default of new
// tracks, once: Godot's audio is running by the time a game signals or adds
// a track, which is not sure yet when the library loads.
func useAudioServerMixRate() {
	mixRateOnce.Do(func() {
		rate, err := audioServerMixRate()
		if err != nil {
			binding.PrintWarning("audio tracks default to %d Hz: %v", extension.DefaultMixRate(), err)
			return
		}
		extension.SetDefaultMixRate(rate)
	})
}

func audioServerMixRate() (int, error) {
	server, err := binding.Singleton("AudioServer")
	if err != nil {
		return 0, err
	}
	v, err := server.Call("get_mix_rate")
	if err != nil {
		return 0, fmt.Errorf("AudioServer.%w", err)
	}
	rate, ok := v.(float64)
	if !ok || rate < 1 {
		return 0, fmt.Errorf("AudioServer.get_mix_rate() returned %v", v)
	}
	return int(rate + 0.5), nil
}
