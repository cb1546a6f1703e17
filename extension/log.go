package extension

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pion/logging"
)

// worthReporting picks the pion warnings a game needs: failures to reach or
// use STUN and TURN servers while gathering. pion's errors are reported unless
// they are the noise of a connection being closed.
var (
	worthReporting = regexp.MustCompile(`(?i)^(failed to (gather|allocate|connect to relay|resolve|dial|create dtls client)|connection is not allocated|unable to handle url)`)
	closingNoise   = regexp.MustCompile(`(?i)closed network connection|already closed|io: read/write on closed pipe|EOF$`)
	// pion reaches each TCP or TLS TURN server over IPv4 and over IPv6, and
	// resolving the server for the family its address is not in fails this
	// way on every gathering: no problem while the other family works.
	otherFamilyNoise = regexp.MustCompile(`no suitable address found$`)
)

// problemLogger is a pion LoggerFactory that turns errors and relevant warnings
// into Problem events of one PeerConnection.
type problemLogger struct {
	report  func(Problem)
	secrets []string
}

func (f *problemLogger) NewLogger(scope string) logging.LeveledLogger {
	return &scopedProblemLogger{f: f, scope: scope}
}

type scopedProblemLogger struct {
	f     *problemLogger
	scope string
}

func (l *scopedProblemLogger) emit(msg string) {
	for _, s := range l.f.secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "***")
		}
	}
	code := Failed
	if l.scope == "ice" || l.scope == "turn" || l.scope == "turnc" {
		code = ErrCantConnect
	}
	l.f.report(Problem{Code: code, Scope: l.scope, Message: msg})
}

func (l *scopedProblemLogger) Warn(msg string) {
	if worthReporting.MatchString(msg) && !closingNoise.MatchString(msg) && !otherFamilyNoise.MatchString(msg) {
		l.emit(msg)
	}
}

func (l *scopedProblemLogger) Warnf(format string, args ...any) { l.Warn(fmt.Sprintf(format, args...)) }
func (l *scopedProblemLogger) Error(msg string)                 { l.emit(msg) }
func (l *scopedProblemLogger) Errorf(format string, args ...any) {
	l.emit(fmt.Sprintf(format, args...))
}
func (l *scopedProblemLogger) Trace(string)          {}
func (l *scopedProblemLogger) Tracef(string, ...any) {}
func (l *scopedProblemLogger) Debug(string)          {}
func (l *scopedProblemLogger) Debugf(string, ...any) {}
func (l *scopedProblemLogger) Info(string)           {}
func (l *scopedProblemLogger) Infof(string, ...any)  {}
