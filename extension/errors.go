package extension

import (
	"errors"
	"fmt"

	"github.com/pion/webrtc/v4/pkg/rtcerr"
)

// Error is a value of Godot's Error enum, the result of most WebRTC calls.
type Error int

// The Godot Error values this package returns.
const (
	OK                  Error = 0
	Failed              Error = 1
	ErrUnavailable      Error = 2
	ErrUnconfigured     Error = 3
	ErrParameterRange   Error = 5
	ErrOutOfMemory      Error = 6
	ErrCantCreate       Error = 20
	ErrAlreadyInUse     Error = 22
	ErrCantConnect      Error = 25
	ErrConnectionError  Error = 27
	ErrInvalidData      Error = 30
	ErrInvalidParameter Error = 31
	ErrAlreadyExists    Error = 32
	ErrBusy             Error = 44
)

// CodeError is an error with the Godot Error code the call should return.
type CodeError struct {
	Code Error
	Err  error
}

func (e *CodeError) Error() string { return e.Err.Error() }
func (e *CodeError) Unwrap() error { return e.Err }

func errorf(code Error, format string, args ...any) error {
	return &CodeError{Code: code, Err: fmt.Errorf(format, args...)}
}

// Code returns the Godot Error for err: OK for nil, the code of a CodeError, and
// for pion's errors the closest Godot meaning.
func Code(err error) Error {
	if err == nil {
		return OK
	}
	var ce *CodeError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return Failed
}

// wrapPion annotates an error from pion with what was being done and a Godot
// code: a call in the wrong state is ERR_UNAVAILABLE, bad input is
// ERR_INVALID_PARAMETER or ERR_INVALID_DATA, and the rest is FAILED.
func wrapPion(err error, what string) error {
	if err == nil {
		return nil
	}
	code := Failed
	var (
		stateErr  *rtcerr.InvalidStateError
		modErr    *rtcerr.InvalidModificationError
		accessErr *rtcerr.InvalidAccessError
		syntaxErr *rtcerr.SyntaxError
		typeErr   *rtcerr.TypeError
		rangeErr  *rtcerr.RangeError
		opErr     *rtcerr.OperationError
	)
	switch {
	case errors.As(err, &stateErr), errors.As(err, &modErr):
		code = ErrUnavailable
	case errors.As(err, &syntaxErr), errors.As(err, &accessErr):
		code = ErrInvalidData
	case errors.As(err, &typeErr), errors.As(err, &rangeErr):
		code = ErrInvalidParameter
	case errors.As(err, &opErr):
		code = Failed
	}
	return &CodeError{Code: code, Err: fmt.Errorf("%s: %w", what, err)}
}
