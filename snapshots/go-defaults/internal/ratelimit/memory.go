package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Memory keeps the counts in the process's memory: each replica has its own. Windows that ended
// are removed at most once a window, when the counts are looked at, so the map holds no more
// than the clients of about one window.
type Memory struct {
	window time.Duration
	now    func() time.Time

	mu        sync.Mutex
	clients   map[string]*windowCount
	nextSweep time.Time
}

type windowCount struct {
	count int64
	ends  time.Time
}

// NewMemory counts in windows of this length.
func NewMemory(window time.Duration) *Memory {
	return &Memory{window: window, now: time.Now, clients: map[string]*windowCount{}}
}

// Count counts a request of client; ctx is not needed, memory does not wait.
func (m *Memory) Count(_ context.Context, client string) Usage {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if !now.Before(m.nextSweep) {
		m.sweep(now)
		m.nextSweep = now.Add(m.window)
	}
	entry, found := m.clients[client]
	if !found || !now.Before(entry.ends) {
		entry = &windowCount{ends: now.Add(m.window)}
		m.clients[client] = entry
	}
	entry.count++
	return Usage{Count: entry.count, ResetIn: entry.ends.Sub(now)}
}

// Clients is the number of clients whose counts are kept.
func (m *Memory) Clients() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.clients)
}

// sweep removes the windows that ended by now.
func (m *Memory) sweep(now time.Time) {
	for client, entry := range m.clients {
		if !now.Before(entry.ends) {
			delete(m.clients, client)
		}
	}
}
