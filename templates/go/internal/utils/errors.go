// Package utils holds the small helpers every layer shares: API errors, pagination, tokens.
package utils

import "net/http"

// APIError is an error with an HTTP status and a stable machine-readable code; the error
// middleware renders it in the one error envelope of the API (guidelines 3).
type APIError struct {
	Status  int
	Code    string
	Message string
	Details any
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// FieldProblem names one invalid input field, e.g. {"field": "body.name", "message": "..."}.
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// BadRequest is a 400 for input that fails validation.
func BadRequest(message string, problems ...FieldProblem) *APIError {
	var details any
	if len(problems) > 0 {
		details = problems
	}
	return &APIError{Status: http.StatusBadRequest, Code: "VALIDATION_ERROR", Message: message, Details: details}
}

// Unauthorized is a 401 for a missing or invalid bearer token.
func Unauthorized() *APIError {
	return &APIError{Status: http.StatusUnauthorized, Code: "UNAUTHORIZED", Message: "Missing or invalid bearer token"}
}

// NotFound is a 404.
func NotFound(message string) *APIError {
	return &APIError{Status: http.StatusNotFound, Code: "NOT_FOUND", Message: message}
}

// Conflict is a 409, e.g. for a name already taken.
func Conflict(message string) *APIError {
	return &APIError{Status: http.StatusConflict, Code: "CONFLICT", Message: message}
}

// Internal is the 500 that hides an unexpected failure from clients.
func Internal() *APIError {
	return &APIError{Status: http.StatusInternalServerError, Code: "INTERNAL_ERROR", Message: "Internal server error"}
}
