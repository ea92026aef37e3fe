// Package ratelimit gives each client a budget of requests per fixed window
// (RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW) and words the decision in the RateLimit headers of
// draft-ietf-httpapi-ratelimit-headers-10.
package ratelimit

import (
	"context"
	"fmt"
	"time"
)

// Usage is a client's window once a request is counted in it.
type Usage struct {
	// Count is the requests counted in the window, this one included.
	Count int64
	// ResetIn is how long the window still lasts.
	ResetIn time.Duration
}

// Store counts a client's request in the client's window, which starts at its first counted
// request. It never fails: a store that cannot reach where it keeps its counts counts elsewhere.
type Store interface {
	Count(ctx context.Context, client string) Usage
}

// Limiter decides whether a client's request is within its budget.
type Limiter struct {
	requests int64
	window   time.Duration
	store    Store
	policy   string
}

// New is a limiter of requests per window (whole seconds), its counts kept in store.
func New(requests int64, window time.Duration, store Store) *Limiter {
	return &Limiter{
		requests: requests,
		window:   window,
		store:    store,
		policy:   fmt.Sprintf(`"default";q=%d;w=%d`, requests, seconds(window)),
	}
}

// Decision is the answer to one counted request.
type Decision struct {
	Allowed bool
	// Remaining is what is left of the budget in the window: 0 once it is spent.
	Remaining int64
	// ResetSeconds is the seconds until the window ends, rounded up, at least 1.
	ResetSeconds int64
}

// Take counts a request of client and tells whether it is within the budget.
func (l *Limiter) Take(ctx context.Context, client string) Decision {
	usage := l.store.Count(ctx, client)
	return Decision{
		Allowed:      usage.Count <= l.requests,
		Remaining:    max(0, l.requests-usage.Count),
		ResetSeconds: max(1, seconds(usage.ResetIn)),
	}
}

// Policy is the RateLimit-Policy header: `"default";q=<requests>;w=<window in seconds>`.
func (l *Limiter) Policy() string {
	return l.policy
}

// Exceeded is the message of the 429, e.g. "rate limit of 6000 requests per 60 s exceeded".
func (l *Limiter) Exceeded() string {
	return fmt.Sprintf("rate limit of %d requests per %d s exceeded", l.requests, seconds(l.window))
}

// Header is the RateLimit header: `"default";r=<remaining>;t=<seconds until the window ends>`.
func (d Decision) Header() string {
	return fmt.Sprintf(`"default";r=%d;t=%d`, d.Remaining, d.ResetSeconds)
}

// seconds rounds a duration up to whole seconds.
func seconds(duration time.Duration) int64 {
	return int64((duration + time.Second - 1) / time.Second)
}
