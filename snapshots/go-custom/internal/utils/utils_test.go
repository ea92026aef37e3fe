package utils

import (
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const secret = "a-test-secret-with-at-least-32-characters"

func TestPaginateRoundsTotalPagesUp(t *testing.T) {
	assert.Equal(t, Pagination{Page: 2, Limit: 20, Total: 41, TotalPages: 3}, Paginate(2, 20, 41))
	assert.Equal(t, 0, Paginate(1, 20, 0).TotalPages)
	assert.Equal(t, 1, Paginate(1, 20, 20).TotalPages)
}

func TestAPIErrorsCarryStatusCodeAndTheContractMessage(t *testing.T) {
	problem := FieldProblem{Field: "body.name", Message: "is required"}
	cases := []struct {
		err     *APIError
		status  int
		code    string
		message string
	}{
		{BadRequest(problem), http.StatusBadRequest, "VALIDATION_ERROR", "invalid request"},
		{MissingToken(), http.StatusUnauthorized, "UNAUTHORIZED", "missing bearer token"},
		{InvalidToken(), http.StatusUnauthorized, "UNAUTHORIZED", "invalid bearer token"},
		{Forbidden("requires the role admin"), http.StatusForbidden, "FORBIDDEN", "requires the role admin"},
		{NotFound("gone"), http.StatusNotFound, "NOT_FOUND", "gone"},
		{MethodNotAllowed("no"), http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "no"},
		{Conflict("taken"), http.StatusConflict, "CONFLICT", "taken"},
		{ContentTooLarge(1048576), http.StatusRequestEntityTooLarge, "CONTENT_TOO_LARGE", "request body is larger than 1048576 bytes"},
		{UnsupportedMediaType(), http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "request body must be application/json"},
		{TooManyRequests("rate limit of 6000 requests per 60 s exceeded"), http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "rate limit of 6000 requests per 60 s exceeded"},
		{TooBusy(), http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "too many requests in progress"},
		{TookTooLong(5 * time.Second), http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "request took longer than 5 s"},
		{Internal(), http.StatusInternalServerError, "INTERNAL_ERROR", "internal server error"},
	}
	for _, c := range cases {
		assert.Equal(t, c.status, c.err.Status)
		assert.Equal(t, c.code, c.err.Code)
		assert.Equal(t, c.message, c.err.Message)
		assert.Equal(t, c.code+": "+c.message, c.err.Error())
	}
	assert.Equal(t, []FieldProblem{problem}, BadRequest(problem).Details)
}

func TestReadableDurationWritesTheUnitThatReadsBest(t *testing.T) {
	for duration, text := range map[time.Duration]string{
		500 * time.Millisecond:  "500 ms",
		5 * time.Second:         "5 s",
		2 * time.Minute:         "2 min",
		90 * time.Second:        "90 s",
		1500 * time.Millisecond: "1.5 s",
		time.Minute:             "1 min",
		time.Hour:               "60 min",
	} {
		assert.Equal(t, text, ReadableDuration(duration), duration.String())
	}
}

func TestFormatTimeWritesUTCWithMilliseconds(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	instant := time.Date(2026, 11, 28, 10, 30, 0, 123456789, paris)
	assert.Equal(t, "2026-11-28T09:30:00.123Z", FormatTime(instant))
	assert.Equal(t, "2026-11-28T09:30:00.000Z", FormatTime(instant.Truncate(time.Second)))
}

func TestTokenRoundTrip(t *testing.T) {
	token, err := CreateAccessToken("user-1", secret, time.Minute, "roles", []string{"editor", "admin"})
	require.NoError(t, err)
	caller, err := NewTokenVerifier(secret, "roles").Verify(token)
	require.NoError(t, err)
	assert.Equal(t, Principal{Subject: "user-1", Roles: []string{"editor", "admin"}}, caller)

	noRole, err := CreateAccessToken("user-1", secret, time.Minute, "roles", nil)
	require.NoError(t, err)
	assert.Equal(t, []any{}, claimsOf(t, noRole)["roles"], "no role: an empty array, not null")
	caller, err = NewTokenVerifier(secret, "roles").Verify(noRole)
	require.NoError(t, err)
	assert.Empty(t, caller.Roles)
}

func sign(t *testing.T, method jwt.SigningMethod, claims jwt.MapClaims) string {
	t.Helper()
	key := any([]byte(secret))
	if method == jwt.SigningMethodNone {
		key = jwt.UnsafeAllowNoneSignatureType
	}
	token, err := jwt.NewWithClaims(method, claims).SignedString(key)
	require.NoError(t, err)
	return token
}

// claimsOf decodes a token's claims without checking it.
func claimsOf(t *testing.T, token string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	_, _, err := jwt.NewParser().ParseUnverified(token, claims)
	require.NoError(t, err)
	return claims
}

// rolesIn is a valid token whose claim named claim holds value.
func rolesIn(t *testing.T, claim string, value any) string {
	t.Helper()
	return sign(t, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "user-1", "exp": time.Now().Unix() + 60, claim: value})
}

func TestVerifyReadsTheRolesOfEitherShape(t *testing.T) {
	verifier := NewTokenVerifier(secret, "roles")
	for name, test := range map[string]struct {
		value any
		roles []string
	}{
		"an array of names":              {[]string{"editor", "Admin"}, []string{"editor", "Admin"}},
		"an empty array":                 {[]string{}, []string{}},
		"a string of names":              {"  viewer editor  admin ", []string{"viewer", "editor", "admin"}},
		"a string of spaces":             {"   ", []string{}},
		"a string of one name":           {"editor", []string{"editor"}},
		"names split on spaces, no more": {"editor,admin\tviewer", []string{"editor,admin\tviewer"}},
	} {
		caller, err := verifier.Verify(rolesIn(t, "roles", test.value))
		require.NoError(t, err, name)
		assert.Equal(t, test.roles, caller.Roles, name)
	}
	caller, err := verifier.Verify(sign(t, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "user-1", "exp": time.Now().Unix() + 60}))
	require.NoError(t, err, "no roles claim")
	assert.Empty(t, caller.Roles, "no roles claim: no role")
}

func TestVerifyRefusesRolesOfAnyOtherShape(t *testing.T) {
	verifier := NewTokenVerifier(secret, "roles")
	for name, value := range map[string]any{
		"a number":                     7,
		"a boolean":                    true,
		"null":                         nil,
		"an object":                    map[string]any{"editor": true},
		"an array holding a number":    []any{"editor", 1},
		"an array holding null":        []any{"editor", nil},
		"an array holding an array":    []any{[]string{"editor"}},
		"an array holding an object":   []any{map[string]any{"name": "editor"}},
		"an array holding a boolean":   []any{false},
		"an array of arrays of string": []any{[]any{"admin"}},
	} {
		_, err := verifier.Verify(rolesIn(t, "roles", value))
		assert.Error(t, err, name)
	}
}

func TestVerifyReadsTheRolesFromTheConfiguredClaim(t *testing.T) {
	token := sign(t, jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "user-1", "exp": time.Now().Unix() + 60, "groups": []string{"editor"}, "roles": 7,
	})
	caller, err := NewTokenVerifier(secret, "groups").Verify(token)
	require.NoError(t, err, "another claim's value is not read")
	assert.Equal(t, []string{"editor"}, caller.Roles)
	_, err = NewTokenVerifier(secret, "roles").Verify(token)
	assert.Error(t, err)

	written, err := CreateAccessToken("user-1", secret, time.Minute, "groups", []string{"admin"})
	require.NoError(t, err)
	assert.Equal(t, []any{"admin"}, claimsOf(t, written)["groups"])
	assert.NotContains(t, claimsOf(t, written), "roles")
}

func TestAPrincipalHasARoleOnlyByItsExactName(t *testing.T) {
	editor := Principal{Subject: "user-1", Roles: []string{"viewer", "editor"}}
	assert.True(t, editor.HasAnyRole([]string{"editor", "admin"}))
	assert.False(t, editor.HasAnyRole([]string{"admin"}))
	assert.False(t, editor.HasAnyRole([]string{"Editor"}), "case matters")
	assert.False(t, Principal{Subject: "user-1"}.HasAnyRole([]string{"editor", "admin"}))
}

func TestVerifyRefusesEveryTokenTheContractRefuses(t *testing.T) {
	now := time.Now().Unix()
	valid := jwt.MapClaims{"sub": "user-1", "exp": now + 60}
	with := func(changes jwt.MapClaims) jwt.MapClaims {
		claims := jwt.MapClaims{}
		for name, value := range valid {
			claims[name] = value
		}
		for name, value := range changes {
			if value == nil {
				delete(claims, name)
			} else {
				claims[name] = value
			}
		}
		return claims
	}
	wrongKey, _ := CreateAccessToken("user-1", "another-secret-with-at-least-32-characters", time.Minute, "roles", nil)
	for name, token := range map[string]string{
		"expired":     sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"exp": now - 1})),
		"no exp":      sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"exp": nil})),
		"nbf ahead":   sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"nbf": now + 60})),
		"no sub":      sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"sub": nil})),
		"empty sub":   sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"sub": ""})),
		"numeric sub": sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"sub": 42})),
		"HS384":       sign(t, jwt.SigningMethodHS384, valid),
		"alg none":    sign(t, jwt.SigningMethodNone, valid),
		"wrong key":   wrongKey,
		"not a JWT":   "not.a.token",
	} {
		_, err := NewTokenVerifier(secret, "roles").Verify(token)
		assert.Error(t, err, name)
	}
	caller, err := NewTokenVerifier(secret, "roles").Verify(sign(t, jwt.SigningMethodHS256, with(jwt.MapClaims{"nbf": now - 1})))
	require.NoError(t, err, "an nbf in the past is accepted")
	assert.Equal(t, "user-1", caller.Subject)
}
