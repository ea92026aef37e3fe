package app

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/media-service/internal/utils"
)

const devSecret = "a-dev-secret-with-at-least-32-characters"

// inServiceFolder runs the test in a folder whose .env holds the required variables, with none
// of them in the environment, nor JWT_ROLES_CLAIM.
func inServiceFolder(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, name := range []string{"DATABASE_URL", "JWT_SECRET", "JWT_ROLES_CLAIM"} {
		t.Setenv(name, "")
		require.NoError(t, os.Unsetenv(name))
	}
	env := "DATABASE_URL=postgresql://db/app\nJWT_SECRET=" + devSecret + "\n"
	require.NoError(t, os.WriteFile(".env", []byte(env), 0o600))
}

func devToken(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := DevToken(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func claimsOf(t *testing.T, token, secret string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) {
		return []byte(secret), nil
	}, jwt.WithValidMethods([]string{"HS256"}))
	require.NoError(t, err)
	return claims
}

func TestDevTokenPrintsATokenTheServiceAcceptsSignedWithTheEnvFileSecret(t *testing.T) {
	inServiceFolder(t)
	code, stdout, stderr := devToken()
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr)
	assert.Equal(t, 1, strings.Count(stdout, "\n"))
	token := strings.TrimSpace(stdout)
	caller, err := utils.NewTokenVerifier(devSecret, "roles").Verify(token)
	require.NoError(t, err)
	assert.Equal(t, utils.Principal{Subject: "dev", Roles: []string{"admin"}}, caller, "admin by default")
	claims := claimsOf(t, token, devSecret)
	assert.Len(t, claims, 4)
	assert.Equal(t, []any{"admin"}, claims["roles"])
	assert.InDelta(t, claims["iat"].(float64)+3600, claims["exp"], 0)
	assert.InDelta(t, float64(time.Now().Unix()), claims["iat"], 5)
}

func TestDevTokenTakesSubAndExpires(t *testing.T) {
	inServiceFolder(t)
	code, stdout, stderr := devToken("--sub", "alice", "-expires", "2d")
	require.Equal(t, 0, code, stderr)
	claims := claimsOf(t, strings.TrimSpace(stdout), devSecret)
	assert.Equal(t, "alice", claims["sub"])
	assert.InDelta(t, claims["iat"].(float64)+2*86400, claims["exp"], 0)
}

func TestDevTokenTakesRolesCommaSeparated(t *testing.T) {
	inServiceFolder(t)
	for list, roles := range map[string][]any{
		"editor,admin":      {"editor", "admin"},
		" editor , ,admin,": {"editor", "admin"},
		"viewer":            {"viewer"},
		"":                  {},
		" , ":               {},
	} {
		code, stdout, stderr := devToken("--roles", list)
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, roles, claimsOf(t, strings.TrimSpace(stdout), devSecret)["roles"], "%q", list)
	}
}

func TestDevTokenPutsTheRolesUnderTheConfiguredClaim(t *testing.T) {
	inServiceFolder(t)
	t.Setenv("JWT_ROLES_CLAIM", "groups")
	code, stdout, stderr := devToken("-roles", "editor")
	require.Equal(t, 0, code, stderr)
	claims := claimsOf(t, strings.TrimSpace(stdout), devSecret)
	assert.Equal(t, []any{"editor"}, claims["groups"])
	assert.NotContains(t, claims, "roles")
}

func TestDevTokenTheEnvironmentWinsOverTheEnvFile(t *testing.T) {
	inServiceFolder(t)
	other := "another-secret-of-at-least-32-characters"
	t.Setenv("JWT_SECRET", other)
	code, stdout, stderr := devToken()
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "dev", claimsOf(t, strings.TrimSpace(stdout), other)["sub"])
}

func TestDevTokenABadOptionIsOneLineOnStderrAndExit2(t *testing.T) {
	inServiceFolder(t)
	for _, args := range [][]string{
		{"-expires", "1w"}, {"-expires", "0s"}, {"-sub", ""}, {"-sub"}, {"-roles"}, {"-bogus"}, {"extra"},
	} {
		code, stdout, stderr := devToken(args...)
		assert.Equal(t, 2, code, args)
		assert.Empty(t, stdout, args)
		assert.True(t, strings.HasPrefix(stderr, "dev-token: "), stderr)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
	}
}

func TestDevTokenAShortSecretIsTheConfigurationError(t *testing.T) {
	inServiceFolder(t)
	t.Setenv("JWT_SECRET", "short")
	code, stdout, stderr := devToken()
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "invalid configuration: JWT_SECRET must be at least 32 characters\n", stderr)
}

func TestDevTokenAnEmptyRolesClaimIsTheConfigurationError(t *testing.T) {
	inServiceFolder(t)
	t.Setenv("JWT_ROLES_CLAIM", "")
	code, stdout, stderr := devToken()
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "invalid configuration: JWT_ROLES_CLAIM must not be empty\n", stderr)
}

func TestDevTokenHelpPrintsTheUsage(t *testing.T) {
	code, stdout, _ := devToken("-h")
	assert.Equal(t, 0, code)
	assert.Equal(t, DevTokenUsage+"\n", stdout)
}
