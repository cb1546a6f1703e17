package main

import (
	"testing"

	"github.com/godot-webrtc-go/godot-webrtc-go/binding"
	"github.com/stretchr/testify/assert"
)

func TestEveryGeneratedVirtualIsImplemented(t *testing.T) {
	assert.Len(t, implement(peerConnectionVirtuals, peerConnectionImpls(), peerConnectionFast), len(peerConnectionVirtuals))
	assert.Len(t, implement(dataChannelVirtuals, dataChannelImpls(), dataChannelFast), len(dataChannelVirtuals))
	assert.Len(t, peerConnectionVirtuals, 11, "WebRTCPeerConnectionExtension has 11 virtuals")
	assert.Len(t, dataChannelVirtuals, 18, "WebRTCDataChannelExtension has 18 virtuals")
}

func TestImplementRejectsMissingAndUnknownVirtuals(t *testing.T) {
	impls := dataChannelImpls()
	delete(impls, "_get_label")
	assert.Panics(t, func() { implement(dataChannelVirtuals, impls, nil) })
	impls = dataChannelImpls()
	impls["_no_such_virtual"] = impls["_close"]
	assert.Panics(t, func() { implement(dataChannelVirtuals, impls, nil) })
}

func TestImplementRejectsFastPathsForUnknownVirtuals(t *testing.T) {
	assert.Panics(t, func() {
		implement(dataChannelVirtuals, dataChannelImpls(), map[string]binding.Fast{"_no_such_virtual": binding.AlwaysOK})
	})
}
