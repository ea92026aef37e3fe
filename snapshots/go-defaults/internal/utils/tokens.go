package utils

import (
	"crypto"
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

// SigningKeys are an identity provider's public keys (its JWKS, see package jwks).
type SigningKeys interface {
	// Key is the public key named kid, if it verifies tokens signed with algorithm.
	Key(kid, algorithm string) (crypto.PublicKey, error)
}

// IdentityProvider signs tokens the service accepts besides its own (JWT_JWKS_URL).
type IdentityProvider struct {
	Keys SigningKeys
	// Issuer is the iss its tokens must carry (JWT_ISSUER).
	Issuer string
	// Audience must be the tokens' aud, or one of them (JWT_AUDIENCE): a provider signs tokens
	// for every application it serves, and those for another are no credential here.
	Audience string
}

// TokenVerifier checks access tokens signed with one secret and, when it has one, by an
// identity provider. Build it once and share it: the parser and the key are made here, so a
// request costs the token's decoding and one signature check.
type TokenVerifier struct {
	parser     *jwt.Parser
	key        jwt.Keyfunc
	secret     any // the []byte of JWT_SECRET, boxed once: returned as is on every call
	rolesClaim string
	provider   *IdentityProvider
}

// NewTokenVerifier accepts the tokens that Verify describes, reading the caller's roles from the
// claim named rolesClaim (JWT_ROLES_CLAIM).
func NewTokenVerifier(secret, rolesClaim string) *TokenVerifier {
	// HS256 only: a token naming another algorithm (`none`, RS256...) is refused before
	// any key is looked at.
	return newTokenVerifier([]byte(secret), rolesClaim, nil, jwt.SigningMethodHS256.Alg())
}

// WithIdentityProvider is a verifier that accepts, besides v's tokens, the RS256 and ES256
// tokens of provider.
func (v *TokenVerifier) WithIdentityProvider(provider IdentityProvider) *TokenVerifier {
	return newTokenVerifier(v.secret, v.rolesClaim, &provider,
		jwt.SigningMethodHS256.Alg(), jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg())
}

func newTokenVerifier(secret any, rolesClaim string, provider *IdentityProvider, algorithms ...string) *TokenVerifier {
	v := &TokenVerifier{
		// The header's alg decides which key verifies, and the parser refuses any alg but these
		// before a key is looked at (`none`, HS384...).
		parser:     jwt.NewParser(jwt.WithValidMethods(algorithms), jwt.WithExpirationRequired()),
		secret:     secret,
		rolesClaim: rolesClaim,
		provider:   provider,
	}
	v.key = v.keyFor // a method value made once, not on every call
	return v
}

var errNoKeyID = errors.New("token names no kid")

// keyFor is the key that verifies token: the secret for HS256, else (RS256 or ES256, which the
// parser lets through only with a provider) the provider's key its kid names.
func (v *TokenVerifier) keyFor(token *jwt.Token) (any, error) {
	if token.Method.Alg() == jwt.SigningMethodHS256.Alg() {
		return v.secret, nil
	}
	kid, _ := token.Header["kid"].(string)
	if kid == "" {
		return nil, errNoKeyID
	}
	return v.provider.Keys.Key(kid, token.Method.Alg())
}

// Verify returns the principal of a valid token: HS256 signed with the verifier's secret, or
// RS256 or ES256 signed with the provider's key its kid names, with the provider's iss and its
// aud (or one of its aud) the provider's Audience; either with an exp in the future, an nbf
// (when present) in the past, no clock leeway, a non-empty string sub, and roles the service can
// read (see rolesOf). The error of the provider's Keys, when it is why, is wrapped in the one
// returned (errors.Is finds it).
func (v *TokenVerifier) Verify(token string) (Principal, error) {
	claims := jwt.MapClaims{}
	parsed, err := v.parser.ParseWithClaims(token, claims, v.key)
	if err != nil {
		return Principal{}, err
	}
	if parsed.Method.Alg() != jwt.SigningMethodHS256.Alg() {
		if err := v.provider.issuedForUs(claims); err != nil {
			return Principal{}, err
		}
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

// issuedForUs checks that the provider issued the token for this service.
func (p *IdentityProvider) issuedForUs(claims jwt.MapClaims) error {
	if issuer, err := claims.GetIssuer(); err != nil || issuer != p.Issuer {
		return errors.New("token's iss is not the identity provider's")
	}
	if audience, err := claims.GetAudience(); err != nil || !slices.Contains(audience, p.Audience) {
		return errors.New("token's aud does not name this service")
	}
	return nil
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
