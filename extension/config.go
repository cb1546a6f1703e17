package extension

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pion/stun/v3"
	"github.com/pion/webrtc/v4"
)

// Config is a parsed WebRTCPeerConnection.initialize() configuration.
type Config struct {
	// Pion is the configuration handed to pion: ICE servers and transport policy.
	Pion webrtc.Configuration
	// ICE timeouts: DISCONNECTED after ICEDisconnectedTimeout without traffic,
	// FAILED after ICEFailedTimeout more; keepalives every ICEKeepaliveInterval.
	ICEDisconnectedTimeout time.Duration
	ICEFailedTimeout       time.Duration
	ICEKeepaliveInterval   time.Duration
	// Server mode: all connections with the same UDPMuxPort share that one
	// port; or ephemeral ports are taken from UDPPortMin..UDPPortMax.
	UDPMuxPort             int
	UDPPortMin, UDPPortMax uint16
	// TCPMuxPort, if set, adds a passive ICE-TCP host candidate on this TCP
	// port, shared by all connections that name it.
	TCPMuxPort int
	// NetworkTypes limits the candidates gathered and paired to these
	// transports and address families; empty allows all.
	NetworkTypes []webrtc.NetworkType
	// ReceiveBudget is how many bytes of unread messages each channel keeps
	// (see DefaultReceiveBudget); 0 keeps the connection's default.
	ReceiveBudget int
}

// DefaultConfig is the configuration of a peer connection that was never
// initialised: no ICE servers, all candidate types.
func DefaultConfig() Config {
	return Config{
		ICEDisconnectedTimeout: DefaultICEDisconnectedTimeout,
		ICEFailedTimeout:       DefaultICEFailedTimeout,
		ICEKeepaliveInterval:   DefaultICEKeepaliveInterval,
	}
}

// ParseConfig reads the Dictionary given to initialize(). Keys, as in the
// browsers' RTCConfiguration:
//
//	iceServers          Array of {urls: String or Array, username: String, credential: String}
//	iceTransportPolicy  "all" or "relay"
//	bundlePolicy        "balanced", "max-compat" or "max-bundle"
//	rtcpMuxPolicy       "negotiate" or "require"
//	iceCandidatePoolSize int 0..255
//
// and this extension's own:
//
//	iceDisconnectedTimeout, iceFailedTimeout, iceKeepaliveInterval  seconds (int or float)
//	udpMuxPort    int 1..65535: every connection with this key shares this one UDP port
//	udpPortRange  [min, max]: local UDP ports are taken from this range
//	tcpMuxPort    int 1..65535: every connection with this key also offers an
//	              ICE-TCP candidate on this one TCP port, which they share
//	iceNetworkTypes Array of "udp", "tcp", "udp4", "udp6", "tcp4", "tcp6":
//	              the only transports this side gathers and pairs candidates on
//	receiveBudget int 65536..1073741824: bytes of unread messages each channel keeps
//
// Unknown keys are reported as warnings and ignored, as browsers do. An invalid
// value is an ERR_INVALID_PARAMETER error naming the key; credentials are never
// part of an error message.
func ParseConfig(m map[string]any) (cfg Config, warnings []string, err error) {
	cfg = DefaultConfig()
	for _, key := range slices.Sorted(maps.Keys(m)) {
		v := m[key]
		switch key {
		case "iceServers":
			cfg.Pion.ICEServers, err = parseICEServers(v)
		case "iceTransportPolicy":
			cfg.Pion.ICETransportPolicy, err = parseEnum(key, v, map[string]webrtc.ICETransportPolicy{
				"all": webrtc.ICETransportPolicyAll, "relay": webrtc.ICETransportPolicyRelay})
		case "bundlePolicy":
			cfg.Pion.BundlePolicy, err = parseEnum(key, v, map[string]webrtc.BundlePolicy{
				"balanced": webrtc.BundlePolicyBalanced, "max-compat": webrtc.BundlePolicyMaxCompat,
				"max-bundle": webrtc.BundlePolicyMaxBundle})
		case "rtcpMuxPolicy":
			cfg.Pion.RTCPMuxPolicy, err = parseEnum(key, v, map[string]webrtc.RTCPMuxPolicy{
				"negotiate": webrtc.RTCPMuxPolicyNegotiate, "require": webrtc.RTCPMuxPolicyRequire})
		case "iceCandidatePoolSize":
			var n int64
			n, err = asInt(key, v, 0, 255)
			cfg.Pion.ICECandidatePoolSize = uint8(n)
		case "iceDisconnectedTimeout":
			cfg.ICEDisconnectedTimeout, err = asSeconds(key, v, maxTimeout)
		case "iceFailedTimeout":
			cfg.ICEFailedTimeout, err = asSeconds(key, v, maxTimeout)
		case "iceKeepaliveInterval":
			cfg.ICEKeepaliveInterval, err = asSeconds(key, v, maxTimeout)
		case "udpMuxPort":
			var port int64
			port, err = asInt(key, v, 1, 65535)
			cfg.UDPMuxPort = int(port)
		case "udpPortRange":
			cfg.UDPPortMin, cfg.UDPPortMax, err = parsePortRange(key, v)
		case "tcpMuxPort":
			var port int64
			port, err = asInt(key, v, 1, 65535)
			cfg.TCPMuxPort = int(port)
		case "iceNetworkTypes":
			cfg.NetworkTypes, err = parseNetworkTypes(key, v)
		case "receiveBudget":
			var n int64
			n, err = asInt(key, v, MinReceiveBudget, MaxReceiveBudget)
			cfg.ReceiveBudget = int(n)
		default:
			warnings = append(warnings, fmt.Sprintf("initialize(): unknown configuration key %q ignored", key))
		}
		if err != nil {
			return Config{}, nil, err
		}
	}
	if cfg.UDPMuxPort != 0 && cfg.UDPPortMax != 0 {
		return Config{}, nil, errorf(ErrInvalidParameter, "udpMuxPort and udpPortRange cannot both be set")
	}
	if err := cfg.checkNetworkTypes(); err != nil {
		return Config{}, nil, err
	}
	return cfg, warnings, nil
}

// networkTypeNames are the values of "iceNetworkTypes".
var networkTypeNames = map[string][]webrtc.NetworkType{
	"udp":  {webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6},
	"tcp":  {webrtc.NetworkTypeTCP4, webrtc.NetworkTypeTCP6},
	"udp4": {webrtc.NetworkTypeUDP4},
	"udp6": {webrtc.NetworkTypeUDP6},
	"tcp4": {webrtc.NetworkTypeTCP4},
	"tcp6": {webrtc.NetworkTypeTCP6},
}

func parseNetworkTypes(key string, v any) ([]webrtc.NetworkType, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, wrongType(key, "an Array of Strings", v)
	}
	if len(list) == 0 {
		return nil, errorf(ErrInvalidParameter, "%s is empty: no candidate could be used (leave the key out to allow every type)", key)
	}
	var types []webrtc.NetworkType
	for i, item := range list {
		ikey := fmt.Sprintf("%s[%d]", key, i)
		name, err := asString(ikey, item)
		if err != nil {
			return nil, err
		}
		named, ok := networkTypeNames[name]
		if !ok {
			return nil, errorf(ErrInvalidParameter, "%s is %q, want one of \"udp\", \"tcp\", \"udp4\", \"udp6\", \"tcp4\", \"tcp6\"", ikey, clip(name))
		}
		for _, t := range named {
			if !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
	}
	return types, nil
}

// checkNetworkTypes refuses a shared port of a transport that iceNetworkTypes
// leaves out: pion would offer a udpMuxPort candidate anyway, and a
// tcpMuxPort would listen for nothing.
func (c Config) checkNetworkTypes() error {
	switch {
	case c.UDPMuxPort != 0 && !c.uses(webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6):
		return errorf(ErrInvalidParameter, "udpMuxPort is set but iceNetworkTypes has no UDP type")
	case c.UDPPortMax != 0 && !c.uses(webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6):
		return errorf(ErrInvalidParameter, "udpPortRange is set but iceNetworkTypes has no UDP type")
	case c.TCPMuxPort != 0 && !c.uses(webrtc.NetworkTypeTCP4, webrtc.NetworkTypeTCP6):
		return errorf(ErrInvalidParameter, "tcpMuxPort is set but iceNetworkTypes has no TCP type")
	}
	return nil
}

// uses reports whether the connection may use any of types.
func (c Config) uses(types ...webrtc.NetworkType) bool {
	if len(c.NetworkTypes) == 0 {
		return true
	}
	return slices.ContainsFunc(types, func(t webrtc.NetworkType) bool { return slices.Contains(c.NetworkTypes, t) })
}

func parsePortRange(key string, v any) (lo, hi uint16, err error) {
	r, ok := v.([]any)
	if !ok || len(r) != 2 {
		return 0, 0, wrongType(key, "an Array [min, max]", v)
	}
	a, err := asInt(key+"[0]", r[0], 1, 65535)
	if err != nil {
		return 0, 0, err
	}
	b, err := asInt(key+"[1]", r[1], 1, 65535)
	if err != nil {
		return 0, 0, err
	}
	if a > b {
		return 0, 0, errorf(ErrInvalidParameter, "%s is [%d, %d]: min is more than max", key, a, b)
	}
	return uint16(a), uint16(b), nil
}

// secrets returns the TURN credentials, which must never be printed.
func (c Config) secrets() []string {
	var out []string
	for _, s := range c.Pion.ICEServers {
		if cred, ok := s.Credential.(string); ok && cred != "" {
			out = append(out, cred)
		}
	}
	return out
}

func parseEnum[T any](key string, v any, values map[string]T) (T, error) {
	var zero T
	s, err := asString(key, v)
	if err != nil {
		return zero, err
	}
	if t, ok := values[s]; ok {
		return t, nil
	}
	allowed := make([]string, 0, len(values))
	for k := range values {
		allowed = append(allowed, fmt.Sprintf("%q", k))
	}
	sort.Strings(allowed)
	return zero, errorf(ErrInvalidParameter, "%s is %q, want one of %s", key, s, strings.Join(allowed, ", "))
}

func parseICEServers(v any) ([]webrtc.ICEServer, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, wrongType("iceServers", "an Array of Dictionaries", v)
	}
	servers := make([]webrtc.ICEServer, 0, len(list))
	for i, item := range list {
		key := fmt.Sprintf("iceServers[%d]", i)
		m, ok := item.(map[string]any)
		if !ok {
			return nil, wrongType(key, "a Dictionary", item)
		}
		s, err := parseICEServer(key, m)
		if err != nil {
			return nil, err
		}
		servers = append(servers, s)
	}
	return servers, nil
}

func parseICEServer(key string, m map[string]any) (webrtc.ICEServer, error) {
	var s webrtc.ICEServer
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		switch k {
		case "urls":
			switch u := v.(type) {
			case string:
				s.URLs = []string{u}
			case []any:
				for j, x := range u {
					str, err := asString(fmt.Sprintf("%s.urls[%d]", key, j), x)
					if err != nil {
						return s, err
					}
					s.URLs = append(s.URLs, str)
				}
			default:
				return s, wrongType(key+".urls", "a String or an Array of Strings", v)
			}
		case "username":
			u, err := asString(key+".username", v)
			if err != nil {
				return s, err
			}
			s.Username = u
		case "credential":
			c, ok := v.(string)
			if !ok {
				return s, wrongType(key+".credential", "a String", v)
			}
			s.Credential = c
		case "credentialType":
			if c, ok := v.(string); !ok || c != "password" {
				return s, errorf(ErrInvalidParameter, "%s.credentialType must be \"password\"", key)
			}
		default:
			return s, errorf(ErrInvalidParameter, "%s has unknown key %q (want urls, username, credential)", key, k)
		}
	}
	if len(s.URLs) == 0 {
		return s, errorf(ErrInvalidParameter, "%s.urls is missing or empty", key)
	}
	for j, raw := range s.URLs {
		ukey := fmt.Sprintf("%s.urls[%d]", key, j)
		normal, err := withDefaultPort(raw)
		if err != nil {
			return s, errorf(ErrInvalidParameter, "%s is not a valid stun:, stuns:, turn: or turns: URL: %v", ukey, redactURIError(err))
		}
		s.URLs[j] = normal
		uri, err := stun.ParseURI(normal)
		if err != nil {
			return s, errorf(ErrInvalidParameter, "%s is not a valid stun:, stuns:, turn: or turns: URL: %v", ukey, redactURIError(err))
		}
		if uri.Scheme == stun.SchemeTypeTURN || uri.Scheme == stun.SchemeTypeTURNS {
			if s.Username == "" {
				return s, errorf(ErrInvalidParameter, "%s is a TURN server: %s.username is required", ukey, key)
			}
			if c, _ := s.Credential.(string); c == "" {
				return s, errorf(ErrInvalidParameter, "%s is a TURN server: %s.credential is required", ukey, key)
			}
		}
	}
	return s, nil
}

// withDefaultPort returns raw with the scheme's default port added when it has
// none. pion's stun.ParseURI does this itself by calling itself again, which
// never returns for a host that still cannot be split (stun:[::1]99999): it
// would hang the game in initialize(). Here the port is added once and what
// still does not split is refused.
func withDefaultPort(raw string) (string, error) {
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok {
		return "", stun.ErrSchemeType
	}
	port := map[string]string{"stun": "3478", "turn": "3478", "stuns": "5349", "turns": "5349"}[strings.ToLower(scheme)]
	if port == "" {
		return "", stun.ErrSchemeType
	}
	hostport, query, hasQuery := strings.Cut(rest, "?")
	if _, _, err := net.SplitHostPort(hostport); err == nil {
		return raw, nil
	}
	hostport += ":" + port
	if _, _, err := net.SplitHostPort(hostport); err != nil {
		return "", stun.ErrHost
	}
	if hasQuery {
		hostport += "?" + query
	}
	return scheme + ":" + hostport, nil
}

// redactURIError keeps only the kind of URL error: a malformed URL may hold
// credentials (turn:user:pass@host), which must not reach the log.
func redactURIError(err error) error {
	for _, known := range []error{stun.ErrSchemeType, stun.ErrHost, stun.ErrPort, stun.ErrProtoType, stun.ErrInvalidQuery} {
		if errors.Is(err, known) {
			return known
		}
	}
	return errors.New("malformed URL")
}
