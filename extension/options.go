package extension

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pion/webrtc/v4"
)

// unsetUint16 is what Godot's getters return for an unset value.
const unsetUint16 = 65535

// ParseChannelOptions reads the Dictionary given to create_data_channel(). Keys,
// as in the browsers' RTCDataChannelInit:
//
//	negotiated         bool (default false); true needs id
//	id                 int 0..65534
//	ordered            bool (default true)
//	maxPacketLifeTime  int 0..65535 ms (also spelled maxPacketLifetime, as
//	                   Godot's WebRTCMultiplayerPeer sends it)
//	maxRetransmits     int 0..65535; not together with a lifetime
//	protocol           String up to 65535 bytes
//
// Unknown keys are returned as warnings and ignored, as browsers do.
func ParseChannelOptions(label string, m map[string]any) (init webrtc.DataChannelInit, warnings []string, err error) {
	if len(label) > maxLabelBytes {
		return init, nil, errorf(ErrInvalidParameter, "label is %d bytes, more than %d", len(label), maxLabelBytes)
	}
	var lifetimeKey string
	for _, key := range slices.Sorted(maps.Keys(m)) {
		v := m[key]
		switch key {
		case "negotiated":
			var b bool
			b, err = asBool(key, v)
			init.Negotiated = &b
		case "id":
			var id int64
			id, err = asInt(key, v, 0, maxChannelID)
			u := uint16(id)
			init.ID = &u
		case "ordered":
			var b bool
			b, err = asBool(key, v)
			init.Ordered = &b
		case "maxPacketLifeTime", "maxPacketLifetime":
			var ms int64
			ms, err = asInt(key, v, 0, maxLifetimeMs)
			u := uint16(ms)
			if init.MaxPacketLifeTime != nil && *init.MaxPacketLifeTime != u {
				err = errorf(ErrInvalidParameter, "maxPacketLifeTime and maxPacketLifetime disagree (%d and %d)", *init.MaxPacketLifeTime, u)
			}
			init.MaxPacketLifeTime = &u
			lifetimeKey = key
		case "maxRetransmits":
			var n int64
			n, err = asInt(key, v, 0, maxRetransmits)
			u := uint16(n)
			init.MaxRetransmits = &u
		case "protocol":
			var p string
			p, err = asString(key, v)
			if err == nil && len(p) > maxProtocolBytes {
				err = errorf(ErrInvalidParameter, "protocol is %d bytes, more than %d", len(p), maxProtocolBytes)
			}
			init.Protocol = &p
		default:
			warnings = append(warnings, fmt.Sprintf("create_data_channel(): unknown option %q ignored", key))
		}
		if err != nil {
			return webrtc.DataChannelInit{}, nil, err
		}
	}
	if init.MaxPacketLifeTime != nil && init.MaxRetransmits != nil {
		return webrtc.DataChannelInit{}, nil, errorf(ErrInvalidParameter, "%s and maxRetransmits cannot both be set", lifetimeKey)
	}
	negotiated := init.Negotiated != nil && *init.Negotiated
	if negotiated && init.ID == nil {
		return webrtc.DataChannelInit{}, nil, errorf(ErrInvalidParameter, "a negotiated channel needs an id")
	}
	if !negotiated && init.ID != nil {
		warnings = append(warnings, "create_data_channel(): id is ignored unless negotiated is true")
		init.ID = nil
	}
	return init, warnings, nil
}
