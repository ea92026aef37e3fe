package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func setRequired(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgresql://user:secret@localhost:5432/app")
	t.Setenv("JWT_SECRET", "a-test-secret-with-at-least-32-characters")
}

func TestLoadReadsTheEnvironmentOverDefaults(t *testing.T) {
	setRequired(t)
	t.Setenv("PORT", "9000")
	t.Setenv("DB_CONNECT_TIMEOUT", "2s")
	t.Setenv("NODE_ENV", "production")

	config, err := Load()
	require.NoError(t, err)
	assert.Equal(t, 9000, config.Port)
	assert.Equal(t, 2*time.Second, config.DBConnectTimeout)
	assert.Equal(t, "production", config.Environment)
	assert.Equal(t, 24*time.Hour, config.JWTExpiresIn)
	assert.Equal(t, int32(10), config.DBMaxConns)
	assert.Equal(t, "x-correlation-id", config.CorrelationIDHeader)
}

func TestLoadNamesEveryBadVariableOnOneLine(t *testing.T) {
	t.Setenv("DATABASE_URL", "mysql://localhost/app")
	t.Setenv("JWT_SECRET", "short")
	t.Setenv("NODE_ENV", "prod")
	t.Setenv("DB_MIN_CONNS", "20")

	_, err := Load()
	require.Error(t, err)
	message := err.Error()
	assert.NotContains(t, message, "\n")
	assert.Contains(t, message, "DATABASE_URL must be a postgresql:// URL")
	assert.Contains(t, message, "JWT_SECRET must be at least 32 characters")
	assert.Contains(t, message, "NODE_ENV must be one of: development test staging production")
	assert.Contains(t, message, "DB_MIN_CONNS must not exceed DB_MAX_CONNS")
}

func TestLoadRequiresTheDatabaseURL(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("JWT_SECRET", "a-test-secret-with-at-least-32-characters")
	_, err := Load()
	assert.EqualError(t, err, "invalid configuration: DATABASE_URL is required")
}

func TestLoadRefusesValuesOfTheWrongType(t *testing.T) {
	setRequired(t)
	t.Setenv("PORT", "eighty")
	_, err := Load()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PORT")
	assert.NotContains(t, err.Error(), "\n")
}

func TestLoadRefusesAnOutOfRangePort(t *testing.T) {
	setRequired(t)
	t.Setenv("PORT", "70000")
	_, err := Load()
	assert.EqualError(t, err, "invalid configuration: PORT must be at most 65535")
}
