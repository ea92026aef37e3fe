package utils

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// CreateAccessToken signs an HS256 token for subject, e.g. for tests and service-to-service calls.
func CreateAccessToken(subject, secret string, lifetime time.Duration) (string, error) {
	now := time.Now()
	claims := jwt.RegisteredClaims{
		Subject:   subject,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(lifetime)),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
}

// TokenVerifier checks access tokens signed with one secret. Build it once and share it: the
// parser and the key are made here, so a request costs the token's decoding and one HMAC.
type TokenVerifier struct {
	parser *jwt.Parser
	key    jwt.Keyfunc
}

// NewTokenVerifier accepts the tokens that Verify describes.
func NewTokenVerifier(secret string) *TokenVerifier {
	// Boxed once: returning the []byte itself would allocate its interface on every call.
	var key any = []byte(secret)
	return &TokenVerifier{
		// HS256 only: a token naming another algorithm (`none`, RS256...) is refused before
		// any key is looked at.
		parser: jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired()),
		key:    func(*jwt.Token) (any, error) { return key, nil },
	}
}

// Verify returns the subject of a valid token: HS256 (so not `none`), signed with the
// verifier's secret, with an exp in the future, an nbf (when present) in the past, no clock
// leeway, and a non-empty string sub.
func (v *TokenVerifier) Verify(token string) (string, error) {
	parsed, err := v.parser.ParseWithClaims(token, &jwt.RegisteredClaims{}, v.key)
	if err != nil {
		return "", err
	}
	subject, err := parsed.Claims.GetSubject()
	if err != nil {
		return "", err
	}
	if subject == "" {
		return "", errors.New("token has no subject")
	}
	return subject, nil
}
