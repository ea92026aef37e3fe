package services

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

type probe struct {
	pingErr    error
	pending    bool
	pendingErr error
}

func (p probe) Ping(context.Context) error { return p.pingErr }

func (p probe) MigrationsPending(context.Context) (bool, error) { return p.pending, p.pendingErr }

func TestReadyWhenTheDatabaseAnswersAndIsMigrated(t *testing.T) {
	health := NewHealthService(probe{}, time.Second)
	checks := health.Readiness(context.Background())
	assert.True(t, checks.Ready())
	assert.True(t, health.DatabaseReachable(context.Background()))
	assert.GreaterOrEqual(t, health.Uptime(), time.Duration(0))
}

func TestNotReadyWhenTheDatabaseIsDown(t *testing.T) {
	checks := NewHealthService(probe{pingErr: errors.New("refused")}, time.Second).Readiness(context.Background())
	assert.Equal(t, ReadinessChecks{Configuration: true}, checks)
	assert.False(t, checks.Ready())
}

func TestNotReadyWhileMigrationsArePendingOrUnknown(t *testing.T) {
	for _, p := range []probe{{pending: true}, {pendingErr: errors.New("no version table")}} {
		checks := NewHealthService(p, time.Second).Readiness(context.Background())
		assert.True(t, checks.Database)
		assert.False(t, checks.DatabaseMigrations)
		assert.False(t, checks.Ready())
	}
}
