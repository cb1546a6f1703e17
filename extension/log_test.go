package extension

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestProblemLoggerReportsTURNFailuresButNotTheOtherAddressFamily(t *testing.T) {
	var problems []Problem
	f := &problemLogger{report: func(p Problem) { problems = append(problems, p) }, secrets: []string{"hunter2"}}
	l := f.NewLogger("ice")
	// What pion logs for a TCP TURN server given by IPv4 address when it
	// tries IPv6 too (every gathering, harmless).
	l.Warnf("Failed to resolve TCP address %s: %v", "198.18.0.2:3478", "address 198.18.0.2: no suitable address found")
	l.Warnf("Failed to resolve relay address %s: %v", "198.18.0.2:443", "address 198.18.0.2: no suitable address found")
	assert.Empty(t, problems)
	// A server that resolves to nothing, and a refused certificate, are problems.
	l.Warnf("Failed to resolve TCP address %s: %v", "turn.invalid:443", "lookup turn.invalid: no such host")
	l.Warnf("Failed to connect to relay: %v", "tls: failed to verify certificate: x509: certificate signed by unknown authority")
	l.Warnf("failed to allocate on TURN client %s %s", "198.18.0.2:3478", "Allocate error response (error 401: Unauthorized) for hunter2")
	if assert.Len(t, problems, 3) {
		assert.Contains(t, problems[0].Message, "no such host")
		assert.Contains(t, problems[1].Message, "unknown authority")
		assert.Equal(t, ErrCantConnect, problems[2].Code)
		assert.NotContains(t, problems[2].Message, "hunter2", "credentials are redacted")
	}
}
