// Package jwks holds an identity provider's public signing keys, read from its JSON Web Key Set
// (JWT_JWKS_URL, the provider's jwks_uri), with which the service verifies the provider's RS256
// and ES256 tokens.
package jwks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// The key set's timing and limits, the same in every Visiobook backend (docs/contract.md).
const (
	// MaxAge is how long fetched keys are used before the set is fetched again: a provider
	// publishes a new key well before it signs with it, and withdraws an old one after.
	MaxAge = 10 * time.Minute
	// Cooldown is the least time between two fetch attempts, successful or not, so that tokens
	// naming made-up kids cannot make the service hammer its provider.
	Cooldown = 30 * time.Second
	// FetchTimeout bounds one fetch, connection to last byte: the requests waiting for it wait
	// that long at most.
	FetchTimeout = 2 * time.Second
	// MaxBodyBytes is the largest key set read; a provider's is a few kilobytes.
	MaxBodyBytes = 1 << 20
)

var (
	// ErrUnknownKey: the set, fetched successfully, has no key of that kid.
	ErrUnknownKey = errors.New("no signing key has this kid")
	// ErrKeysUnavailable: no key of that kid is held and the last fetch of the set failed, so
	// the token may well be good: the service answers 503, not 401.
	ErrKeysUnavailable = errors.New("signing keys are unavailable")
	// ErrUnsuitableKey: the key of that kid is not one the token's algorithm verifies with.
	ErrUnsuitableKey = errors.New("the signing key does not suit the token's algorithm")
)

// KeySet is a provider's keys, fetched on first use (never at start-up, so the service starts
// while its provider is down), then again once they are MaxAge old or a token names a kid they
// lack, at most once per Cooldown. Safe for concurrent use: one fetch at a time, the other
// callers that need it wait for its result.
type KeySet struct {
	url     string
	client  *http.Client
	logger  *zap.Logger
	counted func(err error)
	now     func() time.Time

	// fetching is held by the fetch in progress; callers that need a fetch queue on it.
	fetching sync.Mutex
	// held is read without the lock by every request, written under it.
	held atomic.Pointer[heldKeys]
}

// heldKeys is what the set knows at one moment; replaced whole, never changed.
type heldKeys struct {
	keys map[string]signingKey
	// fetched is when the keys were fetched; zero before the first successful fetch.
	fetched time.Time
	// attempted is when the last fetch started; zero before the first.
	attempted time.Time
	// failed tells whether the last fetch failed (the keys are then the ones held before it).
	failed bool
}

// signingKey is one usable key of the set.
type signingKey struct {
	public crypto.PublicKey // *rsa.PublicKey or *ecdsa.PublicKey (P-256)
	// algorithm is the JWK's alg, empty when it names none.
	algorithm string
}

// New is the key set published at url. Each fetch is logged when it fails and passed to
// counted (nil err: a success), which counts it in jwks_fetches_total.
func New(url string, logger *zap.Logger, counted func(err error)) *KeySet {
	set := &KeySet{
		url: url,
		client: &http.Client{
			Timeout: FetchTimeout,
			// A redirect is not followed: the answer is the 3xx itself, which fails the fetch.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		logger:  logger,
		counted: counted,
		now:     time.Now,
	}
	set.held.Store(&heldKeys{})
	return set
}

// Key is the public key of kid for a token signed with algorithm (RS256 or ES256), fetching
// the set when the keys held are too old or lack kid and the cooldown allows. It returns
// ErrKeysUnavailable when kid is not held and the last fetch failed, ErrUnknownKey when it is
// not held otherwise, and ErrUnsuitableKey when the key is not for algorithm.
func (s *KeySet) Key(kid, algorithm string) (crypto.PublicKey, error) {
	held := s.held.Load()
	key, found := held.keys[kid]
	if !found || !s.fresh(held) {
		held = s.refresh(kid)
		key, found = held.keys[kid]
	}
	switch {
	case !found && held.failed:
		return nil, ErrKeysUnavailable
	case !found:
		return nil, ErrUnknownKey
	case !key.suits(algorithm):
		return nil, ErrUnsuitableKey
	}
	return key.public, nil
}

func (s *KeySet) fresh(held *heldKeys) bool {
	return !held.fetched.IsZero() && s.now().Sub(held.fetched) < MaxAge
}

// refresh fetches the set unless another caller did while this one waited, or the cooldown
// forbids it, and returns the keys then held: still the old ones when the fetch failed.
func (s *KeySet) refresh(kid string) *heldKeys {
	s.fetching.Lock()
	defer s.fetching.Unlock()
	held := s.held.Load()
	if _, found := held.keys[kid]; found && s.fresh(held) {
		return held // fetched by the caller this one waited for
	}
	started := s.now()
	if !held.attempted.IsZero() && started.Sub(held.attempted) < Cooldown {
		return held
	}
	keys, err := s.fetch()
	s.counted(err)
	next := &heldKeys{keys: keys, fetched: s.now(), attempted: started}
	if err != nil {
		s.logger.Warn("jwks fetch failed", zap.String("url", s.url), zap.Error(err))
		next = &heldKeys{keys: held.keys, fetched: held.fetched, attempted: started, failed: true}
	}
	s.held.Store(next)
	return next
}

// fetch reads the set at the URL and returns its usable keys, by kid.
func (s *KeySet) fetch() (map[string]signingKey, error) {
	request, err := http.NewRequest(http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	request.Header.Set("Accept", "application/json")
	response, err := s.client.Do(request)
	if err != nil {
		return nil, err
	}
	defer func() { _ = response.Body.Close() }()
	if response.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("answered %s", response.Status)
	}
	// One byte over the cap tells a set that is too large from one that just fits.
	body, err := io.ReadAll(io.LimitReader(response.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxBodyBytes {
		return nil, fmt.Errorf("key set larger than %d bytes", MaxBodyBytes)
	}
	return parseSet(body)
}

// parseSet reads a JSON Web Key Set (RFC 7517) and keeps the keys the service can verify
// with; the others are skipped, not an error: a provider may publish encryption keys too.
func parseSet(body []byte) (map[string]signingKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("not a JSON Web Key Set: %w", err)
	}
	if set.Keys == nil {
		return nil, errors.New("not a JSON Web Key Set: no keys")
	}
	keys := make(map[string]signingKey, len(set.Keys))
	for _, raw := range set.Keys {
		var fields jsonWebKey
		if json.Unmarshal(raw, &fields) != nil || fields.Kid == "" {
			continue
		}
		if _, taken := keys[fields.Kid]; taken {
			continue // a kid names one key: the first one published
		}
		if key, ok := fields.signingKey(); ok {
			keys[fields.Kid] = key
		}
	}
	return keys, nil
}

// jsonWebKey is the members of a JWK the service reads (RFC 7517, RFC 7518 section 6).
type jsonWebKey struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	// RSA
	N string `json:"n"`
	E string `json:"e"`
	// EC
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// minRSABits is the smallest RSA modulus accepted (NIST SP 800-131A).
const minRSABits = 2048

// signingKey is the key for verifying signatures, if the JWK is one the service can use: RSA
// of at least minRSABits, or EC on P-256, not published for another use than sig.
func (k jsonWebKey) signingKey() (signingKey, bool) {
	if k.Use != "" && k.Use != "sig" {
		return signingKey{}, false
	}
	var public crypto.PublicKey
	switch k.Kty {
	case "RSA":
		modulus, errN := decodeUint(k.N)
		exponent, errE := decodeUint(k.E)
		// The exponent must fit crypto/rsa's int; 65537 in practice.
		if errN != nil || errE != nil || modulus.BitLen() < minRSABits ||
			exponent.BitLen() > 31 || exponent.Int64() < 3 || exponent.Bit(0) == 0 {
			return signingKey{}, false
		}
		public = &rsa.PublicKey{N: modulus, E: int(exponent.Int64())}
	case "EC":
		x, errX := decodeBase64URL(k.X)
		y, errY := decodeBase64URL(k.Y)
		if k.Crv != "P-256" || errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
			return signingKey{}, false
		}
		// Checks the point is on the curve: anything else is no P-256 key.
		point, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return signingKey{}, false
		}
		public = point
	default:
		return signingKey{}, false
	}
	return signingKey{public: public, algorithm: k.Alg}, true
}

// suits tells whether the key verifies tokens signed with algorithm: its type is the
// algorithm's, and its alg, when the JWK names one, is the algorithm.
func (k signingKey) suits(algorithm string) bool {
	if k.algorithm != "" && k.algorithm != algorithm {
		return false
	}
	switch k.public.(type) {
	case *rsa.PublicKey:
		return algorithm == "RS256"
	case *ecdsa.PublicKey:
		return algorithm == "ES256"
	}
	return false
}

// decodeBase64URL reads base64url (RFC 7515), without padding as JWKs write it; padding is
// tolerated.
func decodeBase64URL(text string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(text, "="))
}

// decodeUint reads a JWK's unsigned big-endian integer (Base64urlUInt, RFC 7518 section 2).
func decodeUint(text string) (*big.Int, error) {
	raw, err := decodeBase64URL(text)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, errors.New("empty integer")
	}
	return new(big.Int).SetBytes(raw), nil
}
