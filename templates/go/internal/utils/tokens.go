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

// VerifyAccessToken returns the subject of a valid token: HS256 (so not `none`), signed with
// secret, with an exp in the future, an nbf (when present) in the past, no clock leeway, and a
// non-empty string sub.
func VerifyAccessToken(token, secret string) (string, error) {
	parsed, err := jwt.ParseWithClaims(token, &jwt.RegisteredClaims{}, func(*jwt.Token) (any, error) {
		return []byte(secret), nil
	}, jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired())
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
