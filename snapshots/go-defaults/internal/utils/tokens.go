package utils

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// CreateAccessToken signs an HS256 token for subject, e.g. for tests and service-to-service calls.
// It grants roles as a JSON array under rolesClaim (JWT_ROLES_CLAIM); no roles is an empty array.
func CreateAccessToken(subject, secret string, lifetime time.Duration, rolesClaim string, roles []string) (string, error) {
	if roles == nil {
		roles = []string{} // a nil slice would be written as null, which no service accepts
	}
	now := time.Now()
	claims := jwt.MapClaims{
		rolesClaim: roles,
		"sub":      subject,
		"iat":      now.Unix(),
		"exp":      now.Add(lifetime).Unix(),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
}

// Principal is the caller a valid token names.
type Principal struct {
	Subject string
	// Roles are what the token grants, compared exactly (case matters).
	Roles []string
}

// HasAnyRole is true when the principal has one of roles.
func (p Principal) HasAnyRole(roles []string) bool {
	return slices.ContainsFunc(p.Roles, func(role string) bool { return slices.Contains(roles, role) })
}

// TokenVerifier checks access tokens signed with one secret. Build it once and share it: the
// parser and the key are made here, so a request costs the token's decoding and one HMAC.
type TokenVerifier struct {
	parser     *jwt.Parser
	key        jwt.Keyfunc
	rolesClaim string
}

// NewTokenVerifier accepts the tokens that Verify describes, reading the caller's roles from the
// claim named rolesClaim (JWT_ROLES_CLAIM).
func NewTokenVerifier(secret, rolesClaim string) *TokenVerifier {
	// Boxed once: returning the []byte itself would allocate its interface on every call.
	var key any = []byte(secret)
	return &TokenVerifier{
		// HS256 only: a token naming another algorithm (`none`, RS256...) is refused before
		// any key is looked at.
		parser:     jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired()),
		key:        func(*jwt.Token) (any, error) { return key, nil },
		rolesClaim: rolesClaim,
	}
}

// Verify returns the principal of a valid token: HS256 (so not `none`), signed with the
// verifier's secret, with an exp in the future, an nbf (when present) in the past, no clock
// leeway, a non-empty string sub, and roles the service can read (see rolesOf).
func (v *TokenVerifier) Verify(token string) (Principal, error) {
	claims := jwt.MapClaims{}
	if _, err := v.parser.ParseWithClaims(token, claims, v.key); err != nil {
		return Principal{}, err
	}
	subject, err := claims.GetSubject()
	if err != nil {
		return Principal{}, err
	}
	if subject == "" {
		return Principal{}, errors.New("token has no subject")
	}
	roles, err := rolesOf(claims, v.rolesClaim)
	if err != nil {
		return Principal{}, err
	}
	return Principal{Subject: subject, Roles: roles}, nil
}

// errUnreadableRoles refuses a token whose roles claim is neither shape rolesOf reads: the
// service cannot tell what such a token grants, so it is no more valid than a forged one.
var errUnreadableRoles = errors.New("token's roles claim is neither an array of strings nor a string")

// rolesOf reads the roles a token's claims grant under rolesClaim: a JSON array of strings, or
// one string of names separated by spaces (the shape of OAuth's scope). No claim, no role; any
// other value (a number, a boolean, null, an object, an array holding a non-string) is an error.
func rolesOf(claims jwt.MapClaims, rolesClaim string) ([]string, error) {
	value, present := claims[rolesClaim]
	if !present {
		return nil, nil
	}
	switch value := value.(type) {
	case string:
		return strings.FieldsFunc(value, func(r rune) bool { return r == ' ' }), nil
	case []any:
		roles := make([]string, 0, len(value))
		for _, role := range value {
			name, ok := role.(string)
			if !ok {
				return nil, errUnreadableRoles
			}
			roles = append(roles, name)
		}
		return roles, nil
	}
	return nil, errUnreadableRoles
}
