package extension

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pionOf returns the pion connection behind pc.
func pionOf(pc *PeerConnection) *webrtc.PeerConnection {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.pc
}

// certificates returns the local and remote DTLS certificates of a connected
// pion connection (the local one from pion's stats report, the remote one from
// its DTLS transport) and the transport's statistics.
func certificates(t *testing.T, pc *webrtc.PeerConnection) (local, remote *x509.Certificate, localStats webrtc.CertificateStats, transport webrtc.TransportStats) {
	t.Helper()
	var certs []webrtc.CertificateStats
	for _, s := range pc.GetStats() {
		switch s := s.(type) {
		case webrtc.TransportStats:
			if s.TLSVersion != "" {
				transport = s
			}
		case webrtc.CertificateStats:
			certs = append(certs, s)
		}
	}
	require.NotEmpty(t, transport.TLSVersion, "a transport that negotiated DTLS")
	require.Len(t, certs, 1, "one local certificate")
	localStats = certs[0]
	der, err := base64.RawURLEncoding.DecodeString(localStats.Base64Certificate)
	require.NoError(t, err)
	local, err = x509.ParseCertificate(der)
	require.NoError(t, err)
	remote, err = x509.ParseCertificate(pc.SCTP().Transport().GetRemoteCertificate())
	require.NoError(t, err, "the remote certificate")
	return local, remote, localStats, transport
}

// sdpFingerprint formats the SHA-256 fingerprint of cert as SDP writes it.
func sdpFingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// TestCertificatesAndDTLS checks what protects a connection: each peer
// connection generates its own self-signed ECDSA P-256 certificate (pion's
// default when none is configured, valid for about a month), announces its
// SHA-256 fingerprint in the description, and the peers negotiate DTLS 1.2 with
// an ECDHE-ECDSA AEAD cipher suite, using the certificates the descriptions
// named.
func TestCertificatesAndDTLS(t *testing.T) {
	p := newPeers(t)
	p.openChannel("secure", nil)
	a, b := pionOf(p.a), pionOf(p.b)
	aLocal, aRemote, aStats, aTransport := certificates(t, a)
	bLocal, bRemote, _, _ := certificates(t, b)

	key, ok := aLocal.PublicKey.(*ecdsa.PublicKey)
	require.True(t, ok, "an ECDSA key, not %T", aLocal.PublicKey)
	assert.Equal(t, elliptic.P256(), key.Curve, "P-256")
	assert.Equal(t, x509.ECDSAWithSHA256, aLocal.SignatureAlgorithm)
	assert.NoError(t, aLocal.CheckSignature(aLocal.SignatureAlgorithm, aLocal.RawTBSCertificate, aLocal.Signature), "signed by its own key")
	assert.Equal(t, aLocal.Subject.String(), aLocal.Issuer.String(), "self-signed")
	validity := aLocal.NotAfter.Sub(aLocal.NotBefore)
	assert.True(t, validity > 27*24*time.Hour && validity < 32*24*time.Hour, "valid for about a month, not %v", validity)
	assert.True(t, time.Now().After(aLocal.NotBefore) && time.Now().Before(aLocal.NotAfter), "valid now")
	assert.Equal(t, "sha-256", aStats.FingerprintAlgorithm)

	// Each side's description names its own certificate, and each side
	// authenticated the other's.
	assert.Contains(t, a.LocalDescription().SDP, "a=fingerprint:sha-256 "+sdpFingerprint(aLocal))
	assert.Contains(t, b.LocalDescription().SDP, "a=fingerprint:sha-256 "+sdpFingerprint(bLocal))
	assert.Equal(t, bLocal.Raw, aRemote.Raw, "a talks to b's certificate")
	assert.Equal(t, aLocal.Raw, bRemote.Raw, "b talks to a's certificate")
	assert.NotEqual(t, aLocal.Raw, bLocal.Raw, "one certificate per connection")

	assert.Equal(t, "FEFD", aTransport.TLSVersion, "DTLS 1.2")
	assert.Equal(t, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", aTransport.DTLSCipher)

	// A new connection on the same object gets a new certificate.
	_, err := p.a.Initialize(map[string]any{})
	require.NoError(t, err)
	offer := offerOf(t, p.a)
	assert.NotContains(t, offer, sdpFingerprint(aLocal), "a fresh certificate after initialize()")
	assert.Contains(t, offer, "a=fingerprint:sha-256 ")
}
