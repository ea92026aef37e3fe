package ratelimit

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// clock is a time the test moves.
type clock struct{ at time.Time }

func (c *clock) now() time.Time { return c.at }

func newTestMemory(window time.Duration) (*Memory, *clock) {
	memory := NewMemory(window)
	at := &clock{at: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	memory.now = at.now
	return memory, at
}

func TestAWindowStartsAtTheFirstRequestAndCountsUntilItEnds(t *testing.T) {
	memory, at := newTestMemory(time.Minute)
	ctx := context.Background()
	assert.Equal(t, Usage{Count: 1, ResetIn: time.Minute}, memory.Count(ctx, "ip:10.0.0.1"))
	at.at = at.at.Add(20 * time.Second)
	assert.Equal(t, Usage{Count: 2, ResetIn: 40 * time.Second}, memory.Count(ctx, "ip:10.0.0.1"))
	assert.Equal(t, Usage{Count: 1, ResetIn: time.Minute}, memory.Count(ctx, "sub:alice"), "each client has its own window")

	at.at = at.at.Add(40 * time.Second) // the first window ends: the next request starts another
	assert.Equal(t, Usage{Count: 1, ResetIn: time.Minute}, memory.Count(ctx, "ip:10.0.0.1"))
	assert.Equal(t, Usage{Count: 2, ResetIn: 20 * time.Second}, memory.Count(ctx, "sub:alice"))
}

func TestWindowsThatEndedAreRemoved(t *testing.T) {
	memory, at := newTestMemory(time.Minute)
	ctx := context.Background()
	for _, client := range []string{"ip:10.0.0.1", "ip:10.0.0.2", "ip:10.0.0.3"} {
		memory.Count(ctx, client)
	}
	assert.Equal(t, 3, memory.Clients())
	at.at = at.at.Add(time.Minute)
	memory.Count(ctx, "ip:10.0.0.4")
	assert.Equal(t, 1, memory.Clients(), "only the client of the current window is kept")
}

func TestCountingIsSafeUnderConcurrency(t *testing.T) {
	memory := NewMemory(time.Minute)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { memory.Count(context.Background(), "ip:10.0.0.1") })
	}
	wg.Wait()
	assert.Equal(t, int64(51), memory.Count(context.Background(), "ip:10.0.0.1").Count)
}

func TestTheLimiterRefusesTheRequestOverTheBudgetUntilTheWindowEnds(t *testing.T) {
	memory, at := newTestMemory(time.Minute)
	limiter := New(2, time.Minute, memory)
	ctx := context.Background()
	assert.Equal(t, `"default";q=2;w=60`, limiter.Policy())
	assert.Equal(t, "rate limit of 2 requests per 60 s exceeded", limiter.Exceeded())

	first := limiter.Take(ctx, "sub:alice")
	assert.Equal(t, Decision{Allowed: true, Remaining: 1, ResetSeconds: 60}, first)
	assert.Equal(t, `"default";r=1;t=60`, first.Header())
	at.at = at.at.Add(500 * time.Millisecond)
	assert.Equal(t, Decision{Allowed: true, Remaining: 0, ResetSeconds: 60}, limiter.Take(ctx, "sub:alice"), "rounded up")
	at.at = at.at.Add(59 * time.Second)
	assert.Equal(t, Decision{Allowed: false, Remaining: 0, ResetSeconds: 1}, limiter.Take(ctx, "sub:alice"))
	at.at = at.at.Add(400 * time.Millisecond)
	assert.Equal(t, Decision{Allowed: false, Remaining: 0, ResetSeconds: 1}, limiter.Take(ctx, "sub:alice"), "at least 1")
	at.at = at.at.Add(100 * time.Millisecond)
	assert.Equal(t, Decision{Allowed: true, Remaining: 1, ResetSeconds: 60}, limiter.Take(ctx, "sub:alice"), "a new window")
}
