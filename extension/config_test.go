package extension

import (
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseConfigAcceptsBrowserStyleConfigurations(t *testing.T) {
	cfg, warnings, err := ParseConfig(map[string]any{
		"iceServers": []any{
			map[string]any{"urls": "stun:stun.example.org:3478"},
			map[string]any{"urls": []any{"turn:turn.example.org?transport=tcp", "turns:turn.example.org:5349"},
				"username": "u", "credential": "secret"},
			map[string]any{"urls": "stuns:stun.example.org"},
		},
		"iceTransportPolicy":     "relay",
		"iceFailedTimeout":       int64(40),
		"iceDisconnectedTimeout": 2.5,
		"certificates":           []any{},
		"receiveBudget":          int64(2 << 20),
	})
	require.NoError(t, err)
	assert.Equal(t, []string{`initialize(): unknown configuration key "certificates" ignored`}, warnings)
	require.Len(t, cfg.Pion.ICEServers, 3)
	assert.Equal(t, []string{"turn:turn.example.org:3478?transport=tcp", "turns:turn.example.org:5349"}, cfg.Pion.ICEServers[1].URLs, "default ports made explicit")
	assert.Equal(t, "u", cfg.Pion.ICEServers[1].Username)
	assert.Equal(t, webrtc.ICETransportPolicyRelay, cfg.Pion.ICETransportPolicy)
	assert.Equal(t, 40*time.Second, cfg.ICEFailedTimeout)
	assert.Equal(t, 2500*time.Millisecond, cfg.ICEDisconnectedTimeout)
	assert.Equal(t, DefaultICEKeepaliveInterval, cfg.ICEKeepaliveInterval)
	assert.Equal(t, 2<<20, cfg.ReceiveBudget)
}

func TestParseConfigNamesTheBadKey(t *testing.T) {
	cases := map[string]struct {
		cfg  map[string]any
		want string
	}{
		"servers not an array": {map[string]any{"iceServers": "stun:x"}, "iceServers must be an Array of Dictionaries, not String"},
		"server not a dict":    {map[string]any{"iceServers": []any{int64(1)}}, "iceServers[0] must be a Dictionary, not int"},
		"http url":             {map[string]any{"iceServers": []any{map[string]any{"urls": "http://x"}}}, "iceServers[0].urls[0] is not a valid"},
		"url wrong type":       {map[string]any{"iceServers": []any{map[string]any{"urls": 3.5}}}, "iceServers[0].urls must be a String or an Array of Strings, not float"},
		"no urls":              {map[string]any{"iceServers": []any{map[string]any{}}}, "iceServers[0].urls is missing"},
		"turn no user":         {map[string]any{"iceServers": []any{map[string]any{"urls": "turn:x", "credential": "c"}}}, "iceServers[0].username is required"},
		"turn no credential":   {map[string]any{"iceServers": []any{map[string]any{"urls": "turn:x", "username": "u"}}}, "iceServers[0].credential is required"},
		"unknown server key":   {map[string]any{"iceServers": []any{map[string]any{"urls": "stun:x", "url": "y"}}}, `iceServers[0] has unknown key "url"`},
		"policy":               {map[string]any{"iceTransportPolicy": "none"}, `iceTransportPolicy is "none", want one of "all", "relay"`},
		"policy type":          {map[string]any{"iceTransportPolicy": true}, "iceTransportPolicy must be a String, not bool"},
		"timeout":              {map[string]any{"iceFailedTimeout": int64(-1)}, "iceFailedTimeout is -1"},
		"budget too small":     {map[string]any{"receiveBudget": int64(1000)}, "receiveBudget is 1000, outside 65536..1073741824"},
		"budget type":          {map[string]any{"receiveBudget": "8M"}, "receiveBudget must be an int, not String"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := ParseConfig(c.cfg)
			require.Error(t, err)
			assert.Equal(t, ErrInvalidParameter, Code(err))
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestParseConfigRefusesURLsThatWouldHangPion(t *testing.T) {
	for _, u := range []string{"stun:[::1]99999", "turn:[::1]x", "stuns:[fe80::1]]"} {
		done := make(chan error, 1)
		go func() {
			_, _, err := ParseConfig(map[string]any{"iceServers": []any{map[string]any{"urls": u, "username": "u", "credential": "c"}}})
			done <- err
		}()
		select {
		case err := <-done:
			assert.Equal(t, ErrInvalidParameter, Code(err), u)
		case <-time.After(5 * time.Second):
			t.Fatalf("ParseConfig(%q) hangs", u)
		}
	}
	cfg, _, err := ParseConfig(map[string]any{"iceServers": []any{map[string]any{
		"urls": []any{"stun:[::1]", "turns:example.org?transport=tcp"}, "username": "u", "credential": "c"}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"stun:[::1]:3478", "turns:example.org:5349?transport=tcp"}, cfg.Pion.ICEServers[0].URLs)
}

func TestParseConfigNeverLeaksCredentials(t *testing.T) {
	_, _, err := ParseConfig(map[string]any{"iceServers": []any{map[string]any{
		"urls": "turn:user:hunter2@[bad", "username": "user", "credential": "hunter2"}}})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestParseChannelOptions(t *testing.T) {
	init, warnings, err := ParseChannelOptions("l", map[string]any{
		"negotiated": true, "id": int64(7), "ordered": false, "maxPacketLifetime": int64(500), "protocol": "p", "foo": 1,
	})
	require.NoError(t, err)
	assert.Equal(t, []string{`create_data_channel(): unknown option "foo" ignored`}, warnings)
	assert.Equal(t, uint16(7), *init.ID)
	assert.Equal(t, uint16(500), *init.MaxPacketLifeTime)
	assert.False(t, *init.Ordered)
	assert.Equal(t, "p", *init.Protocol)

	_, warnings, err = ParseChannelOptions("l", map[string]any{"id": int64(3)})
	require.NoError(t, err)
	assert.Contains(t, warnings, "create_data_channel(): id is ignored unless negotiated is true")

	long := string(make([]byte, 65536))
	bad := map[string]map[string]any{
		"both limits":         {"maxPacketLifeTime": int64(1), "maxRetransmits": int64(1)},
		"negotiated no id":    {"negotiated": true},
		"id too big":          {"negotiated": true, "id": int64(65535)},
		"id negative":         {"negotiated": true, "id": int64(-1)},
		"lifetimes disagree":  {"maxPacketLifeTime": int64(1), "maxPacketLifetime": int64(2)},
		"retransmits too big": {"maxRetransmits": int64(70000)},
		"ordered not bool":    {"ordered": "yes"},
		"protocol too long":   {"protocol": long},
		"fractional id":       {"negotiated": true, "id": 1.5},
		"retransmits not int": {"maxRetransmits": "3"},
	}
	for name, opts := range bad {
		t.Run(name, func(t *testing.T) {
			_, _, err := ParseChannelOptions("l", opts)
			require.Error(t, err)
			assert.Equal(t, ErrInvalidParameter, Code(err))
		})
	}
	_, _, err = ParseChannelOptions(long, nil)
	assert.Equal(t, ErrInvalidParameter, Code(err), "label over 65535 bytes")
}
