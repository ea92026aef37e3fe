// Package correlation carries a request's correlation id through context.Context, so every
// layer can log it and pass it on to the services it calls (Visiobook guidelines 5.2).
package correlation

import (
	"context"
	"regexp"

	"github.com/google/uuid"
)

type contextKey struct{}

// An id received from a client is kept only when it is short and made of safe characters:
// it ends up in logs and response headers.
var acceptable = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// WithID returns a copy of ctx that carries id.
func WithID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, contextKey{}, id)
}

// ID returns the correlation id carried by ctx, or "" when there is none.
func ID(ctx context.Context) string {
	id, _ := ctx.Value(contextKey{}).(string)
	return id
}

// FromHeader returns the client's id when it is acceptable, or a new random one.
func FromHeader(value string) string {
	if acceptable.MatchString(value) {
		return value
	}
	return uuid.NewString()
}
