// Package loopback keeps pion on 127.0.0.1, for tests and benchmarks that run
// outside a network namespace: pion leaves loopback out by default and would
// otherwise gather, and send checks to, every address of the machine.
package loopback

import (
	"net"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// Only makes pion gather only UDP candidates on 127.0.0.1, without mDNS.
func Only(se *webrtc.SettingEngine) {
	se.SetIncludeLoopbackCandidate(true)
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
}
