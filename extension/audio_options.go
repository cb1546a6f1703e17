package extension

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/godot-webrtc-go/godot-webrtc-go/extension/audio"
)

// AudioOptions are add_audio_track()'s options, checked.
type AudioOptions struct {
	Config audio.Config
	// FEC asks the remote for in-band FEC (useinbandfec=1 in our SDP). Our
	// own CELT packets never carry it; see docs/voice.md.
	FEC bool
}

// ParseAudioOptions reads the Dictionary given to add_audio_track():
//
//	channels  int 1 (default) or 2: what is coded and sent
//	bitrate   int bits/s, audio.MinBitrate..audio.MaxBitrate; default 32000
//	          mono, 64000 stereo
//	fec       bool (default true): ask the remote for in-band FEC
//	dtx       bool (default false): stop sending during silence
//	mix_rate  int or float Hz, audio.MinMixRate..audio.MaxMixRate, of the
//	          frames pushed and read; default DefaultMixRate()
//
// Unknown keys are returned as warnings and ignored.
func ParseAudioOptions(m map[string]any) (o AudioOptions, warnings []string, err error) {
	o = AudioOptions{Config: audio.Config{Channels: 1, MixRate: DefaultMixRate()}, FEC: true}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		v := m[key]
		var n int64
		switch key {
		case "channels":
			n, err = asInt(key, v, 1, 2)
			o.Config.Channels = int(n)
		case "bitrate":
			n, err = asInt(key, v, audio.MinBitrate, audio.MaxBitrate)
			o.Config.Bitrate = int(n)
		case "fec":
			o.FEC, err = asBool(key, v)
		case "dtx":
			o.Config.DTX, err = asBool(key, v)
		case "mix_rate":
			o.Config.MixRate, err = asMixRate(key, v)
		default:
			warnings = append(warnings, fmt.Sprintf("add_audio_track(): unknown option %q ignored", key))
		}
		if err != nil {
			return AudioOptions{}, nil, err
		}
	}
	return o, warnings, nil
}

// asMixRate accepts AudioServer.get_mix_rate()'s float as well as an int; a
// fraction of a hertz is rounded.
func asMixRate(key string, v any) (int, error) {
	f, ok := v.(float64)
	if !ok {
		n, err := asInt(key, v, audio.MinMixRate, audio.MaxMixRate)
		return int(n), err
	}
	if math.IsNaN(f) || f < audio.MinMixRate || f > audio.MaxMixRate {
		return 0, errorf(ErrInvalidParameter, "%s is %v, outside %d..%d", key, f, audio.MinMixRate, audio.MaxMixRate)
	}
	return int(math.Round(f)), nil
}

// fmtp is the a=fmtp line of the track's m-line (RFC 7587).
func (o AudioOptions) fmtp() string {
	s := "minptime=10"
	if o.FEC {
		s += ";useinbandfec=1"
	}
	if o.Config.Channels == 2 {
		s += ";stereo=1;sprop-stereo=1"
	}
	if o.Config.DTX {
		s += ";usedtx=1"
	}
	return s
}
