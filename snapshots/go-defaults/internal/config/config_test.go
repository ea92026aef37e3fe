package config

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func setRequired(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgresql://user:secret@localhost:5432/app")
	t.Setenv("JWT_SECRET", "a-test-secret-with-at-least-32-characters")
}

func TestLoadGivesTheContractDefaults(t *testing.T) {
	setRequired(t)
	config, err := Load()
	require.NoError(t, err)
	assert.Equal(t, 9090, config.PrometheusPort)
	assert.Equal(t, int32(10), config.DBPoolSize)
	assert.Equal(t, 5*time.Second, config.DBConnectTimeout)
	assert.Equal(t, 10*time.Second, config.ShutdownTimeout)
	assert.Equal(t, 24*time.Hour, config.JWTExpiresIn)
	assert.Equal(t, "roles", config.JWTRolesClaim)
	assert.Equal(t, int64(1048576), config.RequestBodyMaxBytes)
	assert.Equal(t, "info", config.LogLevel)
	assert.Equal(t, "x-correlation-id", config.CorrelationIDHeader)
	assert.Empty(t, config.CORSOrigins)
	assert.Equal(t, int64(6000), config.RateLimitRequests)
	assert.Equal(t, time.Minute, config.RateLimitWindow)
	assert.Empty(t, config.TrustedProxies)
	assert.Equal(t, 5*time.Second, config.RequestTimeout)
	assert.Equal(t, 100, config.MaxConcurrentRequests)
}

func TestLoadReadsTheEnvironmentOverDefaults(t *testing.T) {
	setRequired(t)
	t.Setenv("PORT", "9000")
	t.Setenv("PROMETHEUS_PORT", "9100")
	t.Setenv("NODE_ENV", "production")
	t.Setenv("DB_POOL_SIZE", "4")
	t.Setenv("DB_CONNECT_TIMEOUT", "1500ms")
	t.Setenv("SHUTDOWN_TIMEOUT", "30")
	t.Setenv("JWT_EXPIRES_IN", "7d")
	t.Setenv("JWT_ROLES_CLAIM", "groups")
	t.Setenv("REQUEST_BODY_MAX_BYTES", "2048")
	t.Setenv("LOG_LEVEL", "WARN")
	t.Setenv("CORS_ORIGINS", "https://app.example.com, http://localhost:5173,")

	config, err := Load()
	require.NoError(t, err)
	assert.Equal(t, 9000, config.Port)
	assert.Equal(t, 9100, config.PrometheusPort)
	assert.Equal(t, "production", config.Environment)
	assert.Equal(t, int32(4), config.DBPoolSize)
	assert.Equal(t, 1500*time.Millisecond, config.DBConnectTimeout)
	assert.Equal(t, 30*time.Second, config.ShutdownTimeout, "a bare number is seconds")
	assert.Equal(t, 7*24*time.Hour, config.JWTExpiresIn)
	assert.Equal(t, "groups", config.JWTRolesClaim)
	assert.Equal(t, int64(2048), config.RequestBodyMaxBytes)
	assert.Equal(t, "warn", config.LogLevel)
	assert.Equal(t, []string{"https://app.example.com", "http://localhost:5173"}, config.CORSOrigins)
}

func TestLoadReadsTheRateLimitSettings(t *testing.T) {
	setRequired(t)
	t.Setenv("RATE_LIMIT_REQUESTS", "0")
	t.Setenv("RATE_LIMIT_WINDOW", "90s")
	t.Setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7,2001:db8::/32,::1")
	config, err := Load()
	require.NoError(t, err)
	assert.Zero(t, config.RateLimitRequests, "0 turns rate limiting off")
	assert.Equal(t, 90*time.Second, config.RateLimitWindow)
	assert.Equal(t, []string{"10.0.0.0/8", "192.168.1.7", "2001:db8::/32", "::1"}, config.TrustedProxies)
}

func TestLoadRefusesABadRateLimit(t *testing.T) {
	for variable, cases := range map[string]map[string]string{
		"RATE_LIMIT_REQUESTS": {"-1": "RATE_LIMIT_REQUESTS must be at least 0"},
		"RATE_LIMIT_WINDOW": {
			"1500ms": "RATE_LIMIT_WINDOW must be a whole number of seconds",
			"0":      "RATE_LIMIT_WINDOW must be more than 0",
		},
		"TRUSTED_PROXIES": {
			"10.0.0.1,x":     "TRUSTED_PROXIES has 'x', not an IP address or CIDR range",
			"10.0.0.0/33":    "TRUSTED_PROXIES has '10.0.0.0/33', not an IP address or CIDR range",
			"proxy.internal": "TRUSTED_PROXIES has 'proxy.internal', not an IP address or CIDR range",
		},
	} {
		for value, problem := range cases {
			t.Run(variable+"="+value, func(t *testing.T) {
				setRequired(t)
				t.Setenv(variable, value)
				_, err := Load()
				assert.EqualError(t, err, "invalid configuration: "+problem)
			})
		}
	}
}

func TestLoadReadsTheDeadlineAndTheConcurrency(t *testing.T) {
	setRequired(t)
	t.Setenv("REQUEST_TIMEOUT", "500ms")
	t.Setenv("MAX_CONCURRENT_REQUESTS", "1")
	config, err := Load()
	require.NoError(t, err)
	assert.Equal(t, 500*time.Millisecond, config.RequestTimeout)
	assert.Equal(t, 1, config.MaxConcurrentRequests)

	t.Setenv("REQUEST_TIMEOUT", "0")
	t.Setenv("MAX_CONCURRENT_REQUESTS", "0")
	_, err = Load()
	assert.EqualError(t, err, "invalid configuration: REQUEST_TIMEOUT must be more than 0; MAX_CONCURRENT_REQUESTS must be at least 1")
}

func TestParseDurationTakesAWholeNumberAndAUnit(t *testing.T) {
	for text, expected := range map[string]time.Duration{
		"500ms": 500 * time.Millisecond, "5s": 5 * time.Second, "2m": 2 * time.Minute,
		"24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "10": 10 * time.Second, "0": 0,
	} {
		parsed, err := ParseDuration(text)
		require.NoError(t, err, text)
		assert.Equal(t, expected, parsed, text)
	}
	for _, text := range []string{"", "1.5s", "-5s", "5 s", "1h30m", "5w", "s", "99999999999999999999d", "999999999d"} {
		_, err := ParseDuration(text)
		assert.Error(t, err, text)
	}
}

func TestLoadNamesEveryBadVariableOnOneLine(t *testing.T) {
	t.Setenv("DATABASE_URL", "mysql://localhost/app")
	t.Setenv("JWT_SECRET", "short")
	t.Setenv("NODE_ENV", "prod")
	t.Setenv("DB_POOL_SIZE", "0")
	t.Setenv("LOG_LEVEL", "verbose")

	_, err := Load()
	require.Error(t, err)
	message := err.Error()
	assert.NotContains(t, message, "\n")
	assert.Contains(t, message, "DATABASE_URL must be a postgresql:// URL")
	assert.Contains(t, message, "JWT_SECRET must be at least 32 characters")
	assert.Contains(t, message, "NODE_ENV must be one of: development test staging production")
	assert.Contains(t, message, "DB_POOL_SIZE must be at least 1")
	assert.Contains(t, message, "LOG_LEVEL must be one of: debug info warn error")
}

func TestLoadRequiresTheDatabaseURL(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("JWT_SECRET", "a-test-secret-with-at-least-32-characters")
	_, err := Load()
	assert.EqualError(t, err, "invalid configuration: DATABASE_URL is required")
}

func TestLoadRefusesAnEmptyRolesClaim(t *testing.T) {
	// Set to empty, unlike the other variables, it is not its default: no token names its roles so.
	setRequired(t)
	t.Setenv("JWT_ROLES_CLAIM", "")
	_, err := Load()
	assert.EqualError(t, err, "invalid configuration: JWT_ROLES_CLAIM must not be empty")

	inFolderWithDotEnv(t, "JWT_ROLES_CLAIM=\n", "JWT_ROLES_CLAIM")
	setRequired(t)
	_, err = Load()
	assert.EqualError(t, err, "invalid configuration: JWT_ROLES_CLAIM must not be empty", "empty in .env")
}

func TestLoadRefusesValuesOfTheWrongTypeInTheWordsOfEveryBackend(t *testing.T) {
	for name, value := range map[string]string{
		"PORT":                    "eighty",
		"DB_POOL_SIZE":            "1.5",
		"RATE_LIMIT_REQUESTS":     "many",
		"MAX_CONCURRENT_REQUESTS": "99999999999999999999",
		"SHUTDOWN_TIMEOUT":        "10 seconds",
		"REQUEST_TIMEOUT":         "1.5s",
	} {
		t.Run(name, func(t *testing.T) {
			setRequired(t)
			t.Setenv(name, value)
			_, err := Load()
			problem := " must be a whole number"
			if strings.HasSuffix(name, "_TIMEOUT") {
				problem = " must be a duration such as 500ms, 5s, 24h or 7d"
			}
			assert.EqualError(t, err, "invalid configuration: "+name+problem)
		})
	}
}

func TestLoadRefusesAZeroDuration(t *testing.T) {
	for _, name := range []string{"DB_CONNECT_TIMEOUT", "SHUTDOWN_TIMEOUT", "JWT_EXPIRES_IN"} {
		t.Run(name, func(t *testing.T) {
			setRequired(t)
			t.Setenv(name, "0s")
			_, err := Load()
			require.Error(t, err)
			assert.Contains(t, err.Error(), name+" must be more than 0")
		})
	}
}

func TestLoadRefusesAnOutOfRangePort(t *testing.T) {
	setRequired(t)
	t.Setenv("PORT", "70000")
	_, err := Load()
	assert.EqualError(t, err, "invalid configuration: PORT must be at most 65535")

	for value, problem := range map[string]string{"0": "must be at least 1", "65536": "must be at most 65535"} {
		t.Setenv("PORT", "8080")
		t.Setenv("PROMETHEUS_PORT", value)
		_, err = Load()
		assert.EqualError(t, err, "invalid configuration: PROMETHEUS_PORT "+problem, value)
	}
}

func TestLoadRefusesTheSamePortForTheAPIAndTheMetrics(t *testing.T) {
	for name, ports := range map[string][2]string{
		"both set":            {"8081", "8081"},
		"PORT on the default": {"9090", ""},
	} {
		t.Run(name, func(t *testing.T) {
			setRequired(t)
			t.Setenv("PORT", ports[0])
			t.Setenv("PROMETHEUS_PORT", ports[1]) // empty: the default
			_, err := Load()
			assert.EqualError(t, err, "invalid configuration: PROMETHEUS_PORT must differ from PORT")
		})
	}
}

// inFolderWithDotEnv runs the test in a new working directory holding .env with these lines,
// with none of the names below in the environment.
func inFolderWithDotEnv(t *testing.T, lines string, unset ...string) {
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile(".env", []byte(lines), 0o600))
	for _, name := range unset {
		t.Setenv(name, "") // restores the variable after the test
		require.NoError(t, os.Unsetenv(name))
	}
}

func TestLoadReadsDotEnvFromTheWorkingDirectory(t *testing.T) {
	inFolderWithDotEnv(t, "# local run\n"+
		"DATABASE_URL=postgresql://user:secret@localhost:5432/app\n"+
		"JWT_SECRET=\"a-dotenv-secret-with-at-least-32-characters\"\n"+
		"JWT_EXPIRES_IN=7d\n"+
		"METRICS_PUSHGATEWAY=http://localhost:9091\n", // read by nothing here: ignored
		"DATABASE_URL", "JWT_SECRET", "JWT_EXPIRES_IN")

	config, err := Load()
	require.NoError(t, err)
	assert.Equal(t, "postgresql://user:secret@localhost:5432/app", config.DatabaseURL)
	assert.Equal(t, "a-dotenv-secret-with-at-least-32-characters", config.JWTSecret)
	assert.Equal(t, 7*24*time.Hour, config.JWTExpiresIn)
}

func TestTheEnvironmentWinsOverDotEnv(t *testing.T) {
	inFolderWithDotEnv(t, "DATABASE_URL=postgresql://user:secret@localhost:5432/app\n"+
		"JWT_SECRET=a-dotenv-secret-with-at-least-32-characters\n"+
		"PORT=9001\nLOG_LEVEL=debug\n",
		"DATABASE_URL")
	t.Setenv("JWT_SECRET", "an-environment-secret-with-32-characters-or-more")
	t.Setenv("PORT", "9002")
	t.Setenv("LOG_LEVEL", "") // set, though empty: .env does not fill it in

	config, err := Load()
	require.NoError(t, err)
	assert.Equal(t, "an-environment-secret-with-32-characters-or-more", config.JWTSecret)
	assert.Equal(t, 9002, config.Port)
	assert.Equal(t, "info", config.LogLevel)
	assert.Equal(t, "postgresql://user:secret@localhost:5432/app", config.DatabaseURL)
}

func TestLoadNamesAMalformedDotEnv(t *testing.T) {
	inFolderWithDotEnv(t, "JWT_SECRET='never closed\n")
	_, err := Load()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid configuration: .env: ")
	assert.NotContains(t, err.Error(), "\n")
}

func TestLoadNeedsNoDotEnv(t *testing.T) {
	t.Chdir(t.TempDir())
	setRequired(t)
	_, err := Load()
	require.NoError(t, err)
}

func TestLoadNamesNoExternalServicesByDefault(t *testing.T) {
	setRequired(t)
	config, err := Load()
	require.NoError(t, err)
	assert.Empty(t, config.ExternalServices)
}

func TestLoadResolvesEachExternalServiceToItsURL(t *testing.T) {
	setRequired(t)
	t.Setenv("EXTERNAL_SERVICES", " storage-service, billing,,storage-service, ")
	t.Setenv("REQUIRED_EXTERNAL_SERVICES", "billing,billing")
	t.Setenv("STORAGE_SERVICE_URL", "http://storage-service:8089")
	t.Setenv("BILLING_URL", "https://billing.example.com/v2//")

	config, err := Load()
	require.NoError(t, err)
	assert.Equal(t, []ExternalService{
		{Name: "storage-service", URL: "http://storage-service:8089"},
		{Name: "billing", URL: "https://billing.example.com/v2", Required: true},
	}, config.ExternalServices, "in order, each once, trailing slashes trimmed")
}

func TestLoadReadsTheExternalServicesFromDotEnv(t *testing.T) {
	inFolderWithDotEnv(t, "DATABASE_URL=postgresql://user:secret@localhost:5432/app\n"+
		"JWT_SECRET=a-dotenv-secret-with-at-least-32-characters\n"+
		"EXTERNAL_SERVICES=api-gateway\n"+
		"API_GATEWAY_URL=http://localhost:8081\n",
		"DATABASE_URL", "JWT_SECRET", "EXTERNAL_SERVICES", "REQUIRED_EXTERNAL_SERVICES", "API_GATEWAY_URL")

	config, err := Load()
	require.NoError(t, err)
	assert.Equal(t, []ExternalService{{Name: "api-gateway", URL: "http://localhost:8081"}}, config.ExternalServices)
}

func TestLoadRefusesEachMistakeInTheExternalServices(t *testing.T) {
	for name, mistake := range map[string]struct {
		env     map[string]string
		message string
	}{
		"not a name": {
			map[string]string{"EXTERNAL_SERVICES": "Storage!"},
			"invalid configuration: EXTERNAL_SERVICES has 'Storage!', not a service name (lower-case letters, digits and hyphens)",
		},
		"a trailing hyphen": {
			map[string]string{"EXTERNAL_SERVICES": "storage-"},
			"invalid configuration: EXTERNAL_SERVICES has 'storage-', not a service name (lower-case letters, digits and hyphens)",
		},
		"no URL": {
			map[string]string{"EXTERNAL_SERVICES": "storage-service", "STORAGE_SERVICE_URL": ""},
			"invalid configuration: EXTERNAL_SERVICES names 'storage-service', so STORAGE_SERVICE_URL must be set",
		},
		"not an http URL": {
			map[string]string{"EXTERNAL_SERVICES": "storage-service", "STORAGE_SERVICE_URL": "storage-service:8089"},
			"invalid configuration: STORAGE_SERVICE_URL must be an http or https URL",
		},
		"no host": {
			map[string]string{"EXTERNAL_SERVICES": "storage-service", "STORAGE_SERVICE_URL": "http:///health"},
			"invalid configuration: STORAGE_SERVICE_URL must be an http or https URL",
		},
		"another scheme": {
			map[string]string{"EXTERNAL_SERVICES": "storage-service", "STORAGE_SERVICE_URL": "ftp://storage-service"},
			"invalid configuration: STORAGE_SERVICE_URL must be an http or https URL",
		},
		"required but not listed": {
			map[string]string{"EXTERNAL_SERVICES": "", "REQUIRED_EXTERNAL_SERVICES": "billing"},
			"invalid configuration: REQUIRED_EXTERNAL_SERVICES names 'billing', which EXTERNAL_SERVICES does not list",
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // no .env
			setRequired(t)
			for variable, value := range mistake.env {
				t.Setenv(variable, value)
			}
			_, err := Load()
			assert.EqualError(t, err, mistake.message)
		})
	}
}

func TestLoadNamesTheExternalServicesMistakesWithTheOthers(t *testing.T) {
	setRequired(t)
	t.Setenv("LOG_LEVEL", "verbose")
	t.Setenv("EXTERNAL_SERVICES", "Storage!")
	_, err := Load()
	assert.EqualError(t, err, "invalid configuration: LOG_LEVEL must be one of: debug info warn error; "+
		"EXTERNAL_SERVICES has 'Storage!', not a service name (lower-case letters, digits and hyphens)")
}

func TestLoadReadsNoIdentityProviderByDefault(t *testing.T) {
	t.Chdir(t.TempDir()) // no .env
	setRequired(t)
	t.Setenv("JWT_ISSUER", "https://idp.example.test") // not read without JWT_JWKS_URL
	config, err := Load()
	require.NoError(t, err)
	assert.Empty(t, config.JWTJWKSURL)
	assert.Empty(t, config.JWTIssuer)
	assert.Empty(t, config.JWTAudience)
}

func TestLoadReadsTheIdentityProvider(t *testing.T) {
	t.Chdir(t.TempDir())
	setRequired(t)
	t.Setenv("JWT_JWKS_URL", "https://idp.example.test/realms/visiobook/protocol/openid-connect/certs")
	t.Setenv("JWT_ISSUER", "https://idp.example.test/realms/visiobook")
	t.Setenv("JWT_AUDIENCE", "media-service")
	config, err := Load()
	require.NoError(t, err)
	assert.Equal(t, "https://idp.example.test/realms/visiobook/protocol/openid-connect/certs", config.JWTJWKSURL)
	assert.Equal(t, "https://idp.example.test/realms/visiobook", config.JWTIssuer)
	assert.Equal(t, "media-service", config.JWTAudience)
}

func TestLoadRefusesEachMistakeInTheIdentityProvider(t *testing.T) {
	provider := map[string]string{
		"JWT_JWKS_URL": "https://idp.example.test/certs",
		"JWT_ISSUER":   "https://idp.example.test",
		"JWT_AUDIENCE": "media-service",
	}
	for name, mistake := range map[string]struct {
		env     map[string]string
		message string
	}{
		"another scheme": {
			map[string]string{"JWT_JWKS_URL": "ftp://idp.example.test/certs"},
			"invalid configuration: JWT_JWKS_URL must be an http or https URL",
		},
		"no scheme": {
			map[string]string{"JWT_JWKS_URL": "idp.example.test/certs"},
			"invalid configuration: JWT_JWKS_URL must be an http or https URL",
		},
		"no issuer": {
			map[string]string{"JWT_ISSUER": ""},
			"invalid configuration: JWT_ISSUER is required when JWT_JWKS_URL is set",
		},
		"no audience": {
			map[string]string{"JWT_AUDIENCE": ""},
			"invalid configuration: JWT_AUDIENCE is required when JWT_JWKS_URL is set",
		},
		"neither": {
			map[string]string{"JWT_ISSUER": "", "JWT_AUDIENCE": ""},
			"invalid configuration: JWT_ISSUER is required when JWT_JWKS_URL is set; " +
				"JWT_AUDIENCE is required when JWT_JWKS_URL is set",
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			setRequired(t)
			for variable, value := range provider {
				t.Setenv(variable, value)
			}
			for variable, value := range mistake.env {
				t.Setenv(variable, value)
			}
			_, err := Load()
			assert.EqualError(t, err, mistake.message)
		})
	}
}

func TestLoadNamesTheIdentityProviderMistakesWithTheOthers(t *testing.T) {
	t.Chdir(t.TempDir())
	setRequired(t)
	t.Setenv("LOG_LEVEL", "verbose")
	t.Setenv("JWT_JWKS_URL", "https://idp.example.test/certs")
	t.Setenv("JWT_AUDIENCE", "media-service")
	_, err := Load()
	assert.EqualError(t, err, "invalid configuration: LOG_LEVEL must be one of: debug info warn error; "+
		"JWT_ISSUER is required when JWT_JWKS_URL is set")
}
