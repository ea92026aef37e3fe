// Package utils holds the small helpers every layer shares: API errors, pagination, tokens,
// timestamps.
package utils

import (
	"net/http"
	"strconv"
	"time"
)

// APIError is an error with an HTTP status and a stable machine-readable code; the error
// middleware renders it in the one error envelope of the API (guidelines 8).
type APIError struct {
	Status  int
	Code    string
	Message string
	Details []FieldProblem
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// FieldProblem names one invalid input, e.g. {"field": "body.name", "message": "..."}; Field
// is body, body.<field>, query.<parameter> or path.<parameter>.
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// BadRequest is the 400 of input that breaks the API contract, with one problem per input.
func BadRequest(problems ...FieldProblem) *APIError {
	return &APIError{Status: http.StatusBadRequest, Code: "VALIDATION_ERROR", Message: "invalid request", Details: problems}
}

// MissingToken is the 401 of a request without a bearer token.
func MissingToken() *APIError {
	return &APIError{Status: http.StatusUnauthorized, Code: "UNAUTHORIZED", Message: "missing bearer token"}
}

// InvalidToken is the 401 of a bearer token that fails a check; which one is not said.
func InvalidToken() *APIError {
	return &APIError{Status: http.StatusUnauthorized, Code: "UNAUTHORIZED", Message: "invalid bearer token"}
}

// SigningKeysUnavailable is the 503 of a token naming an identity provider's key the service
// does not hold while the provider's key set cannot be fetched.
func SigningKeysUnavailable() *APIError {
	return &APIError{Status: http.StatusServiceUnavailable, Code: "SERVICE_UNAVAILABLE", Message: "signing keys are unavailable"}
}

// Forbidden is the 403 of a valid token without a role the operation needs; message names the
// roles, e.g. "requires the role editor or admin".
func Forbidden(message string) *APIError {
	return &APIError{Status: http.StatusForbidden, Code: "FORBIDDEN", Message: message}
}

// NotFound is a 404.
func NotFound(message string) *APIError {
	return &APIError{Status: http.StatusNotFound, Code: "NOT_FOUND", Message: message}
}

// MethodNotAllowed is the 405 of a method the path does not serve.
func MethodNotAllowed(message string) *APIError {
	return &APIError{Status: http.StatusMethodNotAllowed, Code: "METHOD_NOT_ALLOWED", Message: message}
}

// Conflict is a 409, e.g. for a name already taken; problems name the fields in conflict with
// the stored data, when some are.
func Conflict(message string, problems ...FieldProblem) *APIError {
	return &APIError{Status: http.StatusConflict, Code: "CONFLICT", Message: message, Details: problems}
}

// ContentTooLarge is the 413 of a body over limit bytes.
func ContentTooLarge(limit int64) *APIError {
	message := "request body is larger than " + strconv.FormatInt(limit, 10) + " bytes"
	return &APIError{Status: http.StatusRequestEntityTooLarge, Code: "CONTENT_TOO_LARGE", Message: message}
}

// UnsupportedMediaType is the 415 of a body that is not UTF-8 application/json.
func UnsupportedMediaType() *APIError {
	message := "request body must be application/json"
	return &APIError{Status: http.StatusUnsupportedMediaType, Code: "UNSUPPORTED_MEDIA_TYPE", Message: message}
}

// TooManyRequests is the 429 of a client over its rate limit; message names the limit, e.g.
// "rate limit of 6000 requests per 60 s exceeded".
func TooManyRequests(message string) *APIError {
	return &APIError{Status: http.StatusTooManyRequests, Code: "TOO_MANY_REQUESTS", Message: message}
}

// TooBusy is the 503 of a request over MAX_CONCURRENT_REQUESTS in progress.
func TooBusy() *APIError {
	return &APIError{Status: http.StatusServiceUnavailable, Code: "SERVICE_UNAVAILABLE", Message: "too many requests in progress"}
}

// TookTooLong is the 503 of a request not answered within timeout (REQUEST_TIMEOUT).
func TookTooLong(timeout time.Duration) *APIError {
	message := "request took longer than " + ReadableDuration(timeout)
	return &APIError{Status: http.StatusServiceUnavailable, Code: "SERVICE_UNAVAILABLE", Message: message}
}

// ReadableDuration writes a duration in the unit it reads best, the same words in every
// Visiobook backend: under a second in milliseconds (500 ms), whole seconds under a minute in
// seconds (5 s), whole minutes in minutes (2 min), anything else in seconds (90 s, 1.5 s).
func ReadableDuration(duration time.Duration) string {
	switch {
	case duration < time.Second:
		return strconv.FormatInt(duration.Milliseconds(), 10) + " ms"
	case duration >= time.Minute && duration%time.Minute == 0:
		return strconv.FormatInt(int64(duration/time.Minute), 10) + " min"
	}
	return strconv.FormatFloat(duration.Seconds(), 'f', -1, 64) + " s"
}

// Internal is the 500 that hides an unexpected failure from clients.
func Internal() *APIError {
	return &APIError{Status: http.StatusInternalServerError, Code: "INTERNAL_ERROR", Message: "internal server error"}
}
