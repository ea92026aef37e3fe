package jwks

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// Keys are costly to make (RSA especially): made once, shared by every test.
var (
	rsaKey    = mustRSA(2048)
	otherRSA  = mustRSA(2048)
	smallRSA  = mustRSA(1024)
	ecKey     = mustEC(elliptic.P256())
	p384Key   = mustEC(elliptic.P384())
	encodeB64 = base64.RawURLEncoding.EncodeToString
)

func mustRSA(bits int) *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return key
}

func mustEC(curve elliptic.Curve) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		panic(err)
	}
	return key
}

// rsaJWK is the JWK of key's public half, with the members of extra added (or replaced).
func rsaJWK(kid string, key *rsa.PrivateKey, extra map[string]any) map[string]any {
	jwk := map[string]any{
		"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": encodeB64(key.N.Bytes()), "e": encodeB64(big.NewInt(int64(key.E)).Bytes()),
	}
	for name, value := range extra {
		jwk[name] = value
	}
	return jwk
}

func ecJWK(kid string, key *ecdsa.PrivateKey, extra map[string]any) map[string]any {
	size := (key.Curve.Params().BitSize + 7) / 8
	point, err := key.PublicKey.Bytes() // 0x04 || x || y
	if err != nil {
		panic(err)
	}
	crv := map[int]string{32: "P-256", 48: "P-384"}[size]
	jwk := map[string]any{
		"kty": "EC", "kid": kid, "use": "sig", "alg": "ES256", "crv": crv,
		"x": encodeB64(point[1 : 1+size]), "y": encodeB64(point[1+size:]),
	}
	for name, value := range extra {
		jwk[name] = value
	}
	return jwk
}

func setOf(keys ...map[string]any) []byte {
	if keys == nil {
		keys = []map[string]any{}
	}
	body, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		panic(err)
	}
	return body
}

// provider serves a key set over HTTP, as an identity provider's jwks_uri, and counts the
// fetches.
type provider struct {
	server  *httptest.Server
	fetches atomic.Int32
	mu      sync.Mutex
	status  int
	body    []byte
	// gate, when set, holds every answer until it is closed.
	gate chan struct{}
	// redirect, when set, is where every answer sends the client instead.
	redirect string
}

func newProvider(t *testing.T, keys ...map[string]any) *provider {
	t.Helper()
	p := &provider{status: http.StatusOK, body: setOf(keys...)}
	p.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.fetches.Add(1)
		p.mu.Lock()
		status, body, gate, redirect := p.status, p.body, p.gate, p.redirect
		p.mu.Unlock()
		if gate != nil {
			<-gate
		}
		if redirect != "" {
			http.Redirect(w, r, redirect, http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(p.server.Close)
	return p
}

func (p *provider) publish(keys ...map[string]any) {
	p.answer(http.StatusOK, setOf(keys...))
}

func (p *provider) answer(status int, body []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status, p.body = status, body
}

// hold keeps every answer until release is called, at the latest when the test ends (before
// the server closes, which waits for the answers).
func (p *provider) hold(t *testing.T) (release func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	gate := make(chan struct{})
	p.gate = gate
	release = sync.OnceFunc(func() { close(gate) })
	t.Cleanup(release)
	return release
}

func (p *provider) url() string { return p.server.URL + "/certs" }

// clock is a time the test moves on by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(by time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(by)
}

// outcomes records what the key set counts: "success" or "failure", one per fetch.
type outcomes struct {
	mu   sync.Mutex
	seen []string
}

func (o *outcomes) count(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.seen = append(o.seen, "failure")
	} else {
		o.seen = append(o.seen, "success")
	}
}

func (o *outcomes) all() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.seen...)
}

type fixture struct {
	set      *KeySet
	clock    *clock
	outcomes *outcomes
	logs     *observer.ObservedLogs
}

func newKeySet(t *testing.T, url string) fixture {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	f := fixture{clock: &clock{now: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}, outcomes: &outcomes{}, logs: logs}
	f.set = New(url, zap.New(core), f.outcomes.count)
	f.set.now = f.clock.Now
	return f
}

func TestParseSetKeepsTheKeysTheServiceCanVerifyWith(t *testing.T) {
	offCurve := ecJWK("off-curve", ecKey, nil)
	offCurve["y"] = offCurve["x"]
	keys, err := parseSet(setOf(
		rsaJWK("rsa", rsaKey, nil),
		rsaJWK("rsa-no-use-no-alg", rsaKey, map[string]any{"use": nil, "alg": nil}),
		ecJWK("ec", ecKey, nil),
		rsaJWK("", rsaKey, nil),
		rsaJWK("small", smallRSA, nil),
		rsaJWK("for-encryption", rsaKey, map[string]any{"use": "enc"}),
		rsaJWK("even-exponent", rsaKey, map[string]any{"e": encodeB64([]byte{2})}),
		rsaJWK("huge-exponent", rsaKey, map[string]any{"e": encodeB64(big.NewInt(1 << 40).Bytes())}),
		rsaJWK("bad-modulus", rsaKey, map[string]any{"n": "!!"}),
		rsaJWK("no-modulus", rsaKey, map[string]any{"n": ""}),
		ecJWK("p-384", p384Key, map[string]any{"crv": "P-384"}),
		ecJWK("p-384-named-p-256", p384Key, map[string]any{"crv": "P-256"}),
		ecJWK("bad-x", ecKey, map[string]any{"x": "@@"}),
		offCurve,
		map[string]any{"kty": "oct", "kid": "hmac", "k": encodeB64([]byte("a shared secret"))},
		map[string]any{"kty": "OKP", "kid": "ed25519", "crv": "Ed25519", "x": encodeB64(make([]byte, 32))},
		map[string]any{"kty": "RSA", "kid": 7},
		rsaJWK("rsa", otherRSA, nil), // the kid again: the first key keeps it
	))
	require.NoError(t, err)
	kids := make([]string, 0, len(keys))
	for kid := range keys {
		kids = append(kids, kid)
	}
	assert.ElementsMatch(t, []string{"rsa", "rsa-no-use-no-alg", "ec"}, kids)
	assert.True(t, rsaKey.PublicKey.Equal(keys["rsa"].public))
	assert.True(t, ecKey.PublicKey.Equal(keys["ec"].public))
	assert.Equal(t, "RS256", keys["rsa"].algorithm)
	assert.Empty(t, keys["rsa-no-use-no-alg"].algorithm)
}

func TestParseSetTakesPaddedBase64(t *testing.T) {
	padded := rsaJWK("rsa", rsaKey, map[string]any{"e": base64.URLEncoding.EncodeToString(big.NewInt(65537).Bytes()) + "="})
	keys, err := parseSet(setOf(padded))
	require.NoError(t, err)
	assert.Contains(t, keys, "rsa")
}

func TestParseSetRefusesWhatIsNoKeySet(t *testing.T) {
	for _, body := range []string{`not json`, `{}`, `{"keys": "rsa"}`, `[]`} {
		_, err := parseSet([]byte(body))
		assert.Error(t, err, body)
	}
	keys, err := parseSet([]byte(`{"keys": []}`))
	require.NoError(t, err)
	assert.Empty(t, keys)
}

func TestAKeyVerifiesOnlyTheAlgorithmItSuits(t *testing.T) {
	idp := newProvider(t,
		rsaJWK("rsa", rsaKey, nil),
		ecJWK("ec", ecKey, nil),
		rsaJWK("rsa-384", otherRSA, map[string]any{"alg": "RS384"}),
		rsaJWK("rsa-any", otherRSA, map[string]any{"alg": nil}),
		ecJWK("ec-any", ecKey, map[string]any{"alg": nil}),
	)
	f := newKeySet(t, idp.url())

	public, err := f.set.Key("rsa", "RS256")
	require.NoError(t, err)
	assert.True(t, rsaKey.PublicKey.Equal(public))
	public, err = f.set.Key("ec", "ES256")
	require.NoError(t, err)
	assert.True(t, ecKey.PublicKey.Equal(public))
	_, err = f.set.Key("rsa-any", "RS256")
	assert.NoError(t, err)
	_, err = f.set.Key("ec-any", "ES256")
	assert.NoError(t, err)

	for _, mismatch := range [][2]string{
		{"rsa", "ES256"}, {"ec", "RS256"}, {"rsa-384", "RS256"}, {"rsa-any", "ES256"}, {"ec-any", "RS256"},
		{"rsa", "HS256"}, {"rsa", "none"},
	} {
		_, err := f.set.Key(mismatch[0], mismatch[1])
		assert.ErrorIs(t, err, ErrUnsuitableKey, mismatch)
	}
	assert.Equal(t, int32(1), idp.fetches.Load())
}

func TestTheSetIsFetchedOnFirstUseAndKeptForItsMaxAge(t *testing.T) {
	idp := newProvider(t, rsaJWK("rsa", rsaKey, nil))
	f := newKeySet(t, idp.url())
	assert.Equal(t, int32(0), idp.fetches.Load(), "fetched before any token needed it")

	for range 5 {
		_, err := f.set.Key("rsa", "RS256")
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), idp.fetches.Load())
	f.clock.advance(MaxAge - time.Second)
	_, err := f.set.Key("rsa", "RS256")
	require.NoError(t, err)
	assert.Equal(t, int32(1), idp.fetches.Load())

	f.clock.advance(time.Second)
	_, err = f.set.Key("rsa", "RS256")
	require.NoError(t, err)
	assert.Equal(t, int32(2), idp.fetches.Load(), "not fetched again once MaxAge old")
	assert.Equal(t, []string{"success", "success"}, f.outcomes.all())
}

func TestAnUnknownKidFetchesTheSetAgainOnlyAfterTheCooldown(t *testing.T) {
	idp := newProvider(t, rsaJWK("rsa-1", rsaKey, nil))
	f := newKeySet(t, idp.url())
	_, err := f.set.Key("rsa-1", "RS256")
	require.NoError(t, err)

	idp.publish(rsaJWK("rsa-1", rsaKey, nil), rsaJWK("rsa-2", otherRSA, nil))
	_, err = f.set.Key("rsa-2", "RS256")
	assert.ErrorIs(t, err, ErrUnknownKey)
	f.clock.advance(Cooldown - time.Second)
	_, err = f.set.Key("rsa-2", "RS256")
	assert.ErrorIs(t, err, ErrUnknownKey)
	assert.Equal(t, int32(1), idp.fetches.Load(), "fetched again within the cooldown")

	f.clock.advance(time.Second)
	public, err := f.set.Key("rsa-2", "RS256")
	require.NoError(t, err)
	assert.True(t, otherRSA.PublicKey.Equal(public))
	assert.Equal(t, int32(2), idp.fetches.Load())
}

func TestTheCooldownStartsAtEachAttempt(t *testing.T) {
	idp := newProvider(t)
	f := newKeySet(t, idp.url())
	_, err := f.set.Key("rsa", "RS256") // fetch 1, at 0 s
	assert.ErrorIs(t, err, ErrUnknownKey)
	f.clock.advance(Cooldown)
	_, err = f.set.Key("rsa", "RS256") // fetch 2, at 30 s
	assert.ErrorIs(t, err, ErrUnknownKey)
	f.clock.advance(Cooldown - time.Second)
	_, err = f.set.Key("rsa", "RS256") // 59 s: 29 s after the last attempt
	assert.ErrorIs(t, err, ErrUnknownKey)
	assert.Equal(t, int32(2), idp.fetches.Load())
}

func TestAFetchedSetReplacesTheKeysHeld(t *testing.T) {
	idp := newProvider(t, rsaJWK("rsa-1", rsaKey, nil), ecJWK("ec-1", ecKey, nil))
	f := newKeySet(t, idp.url())
	_, err := f.set.Key("rsa-1", "RS256")
	require.NoError(t, err)

	idp.publish(rsaJWK("rsa-2", otherRSA, nil), ecJWK("ec-1", ecKey, nil))
	f.clock.advance(Cooldown)
	_, err = f.set.Key("rsa-2", "RS256")
	require.NoError(t, err)
	_, err = f.set.Key("rsa-1", "RS256")
	assert.ErrorIs(t, err, ErrUnknownKey, "a key the provider removed still verifies")
	_, err = f.set.Key("ec-1", "ES256")
	assert.NoError(t, err)
	assert.Equal(t, int32(2), idp.fetches.Load())
}

func TestAFailedFetchKeepsTheKeysHeldAndIsLoggedAndCounted(t *testing.T) {
	idp := newProvider(t, rsaJWK("rsa-1", rsaKey, nil))
	f := newKeySet(t, idp.url())
	_, err := f.set.Key("rsa-1", "RS256")
	require.NoError(t, err)

	idp.answer(http.StatusInternalServerError, []byte("down"))
	f.clock.advance(MaxAge)
	public, err := f.set.Key("rsa-1", "RS256")
	require.NoError(t, err, "the keys held stopped verifying when a fetch failed")
	assert.True(t, rsaKey.PublicKey.Equal(public))
	assert.Equal(t, int32(2), idp.fetches.Load())
	assert.Equal(t, []string{"success", "failure"}, f.outcomes.all())

	warnings := f.logs.FilterMessage("jwks fetch failed").All()
	require.Len(t, warnings, 1)
	assert.Equal(t, zapcore.WarnLevel, warnings[0].Level)
	fields := warnings[0].ContextMap()
	assert.Equal(t, idp.url(), fields["url"])
	assert.Contains(t, fields["error"], "500")

	// Not held, and the provider cannot say whether it exists: unavailable, not unknown.
	_, err = f.set.Key("rsa-2", "RS256")
	assert.ErrorIs(t, err, ErrKeysUnavailable)
	// The stale key is still used within the cooldown, without asking the provider again.
	_, err = f.set.Key("rsa-1", "RS256")
	require.NoError(t, err)
	assert.Equal(t, int32(2), idp.fetches.Load())

	// Back up: the next fetch, after the cooldown, settles both.
	idp.publish(rsaJWK("rsa-1", rsaKey, nil))
	f.clock.advance(Cooldown)
	_, err = f.set.Key("rsa-2", "RS256")
	assert.ErrorIs(t, err, ErrUnknownKey)
	_, err = f.set.Key("rsa-1", "RS256")
	require.NoError(t, err)
	assert.Equal(t, int32(3), idp.fetches.Load())
	assert.Equal(t, []string{"success", "failure", "success"}, f.outcomes.all())
}

func TestUntilAFetchSucceedsEveryKidIsUnavailable(t *testing.T) {
	idp := newProvider(t, rsaJWK("rsa-1", rsaKey, nil))
	idp.answer(http.StatusServiceUnavailable, nil)
	f := newKeySet(t, idp.url())
	_, err := f.set.Key("rsa-1", "RS256")
	assert.ErrorIs(t, err, ErrKeysUnavailable)

	idp.publish(rsaJWK("rsa-1", rsaKey, nil))
	_, err = f.set.Key("rsa-1", "RS256")
	assert.ErrorIs(t, err, ErrKeysUnavailable, "fetched again within the cooldown")
	assert.Equal(t, int32(1), idp.fetches.Load())

	f.clock.advance(Cooldown)
	_, err = f.set.Key("rsa-1", "RS256")
	require.NoError(t, err)
	assert.Equal(t, []string{"failure", "success"}, f.outcomes.all())
}

func TestConcurrentCallersWaitForOneFetch(t *testing.T) {
	idp := newProvider(t, rsaJWK("rsa", rsaKey, nil))
	release := idp.hold(t)
	f := newKeySet(t, idp.url())

	const callers = 20
	errs := make(chan error, callers)
	for range callers {
		go func() {
			_, err := f.set.Key("rsa", "RS256")
			errs <- err
		}()
	}
	// Let every caller reach the key set while the one fetch is held at the provider.
	require.Eventually(t, func() bool { return idp.fetches.Load() >= 1 }, time.Second, time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	release()
	for range callers {
		assert.NoError(t, <-errs)
	}
	assert.Equal(t, int32(1), idp.fetches.Load())
	assert.Equal(t, []string{"success"}, f.outcomes.all())
}

func TestAFetchFailsOnARedirectAnOversizedSetOrAnotherAnswer(t *testing.T) {
	target := newProvider(t, rsaJWK("rsa", rsaKey, nil))
	padded := append(setOf(rsaJWK("rsa", rsaKey, nil)), []byte(strings.Repeat(" ", MaxBodyBytes))...)
	cases := map[string]func(p *provider){
		"a redirect": func(p *provider) {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.redirect = target.url()
		},
		"a set over 1 MiB": func(p *provider) { p.answer(http.StatusOK, padded[:MaxBodyBytes+1]) },
		"no key set":       func(p *provider) { p.answer(http.StatusOK, []byte(`<html>login</html>`)) },
		"a 204":            func(p *provider) { p.answer(http.StatusNoContent, nil) },
		"a 404":            func(p *provider) { p.answer(http.StatusNotFound, setOf(rsaJWK("rsa", rsaKey, nil))) },
	}
	for name, arrange := range cases {
		t.Run(name, func(t *testing.T) {
			idp := newProvider(t)
			arrange(idp)
			f := newKeySet(t, idp.url())
			_, err := f.set.Key("rsa", "RS256")
			assert.ErrorIs(t, err, ErrKeysUnavailable)
			assert.Equal(t, []string{"failure"}, f.outcomes.all())
		})
	}
	assert.Equal(t, int32(0), target.fetches.Load(), "a redirect was followed")
}

func TestASetOfExactlyTheCapIsRead(t *testing.T) {
	set := setOf(rsaJWK("rsa", rsaKey, nil))
	body := append(set[:len(set)-1], []byte(strings.Repeat(" ", MaxBodyBytes-len(set))+"}")...)
	require.Len(t, body, MaxBodyBytes)
	idp := newProvider(t)
	idp.answer(http.StatusOK, body)
	f := newKeySet(t, idp.url())
	_, err := f.set.Key("rsa", "RS256")
	assert.NoError(t, err)
}

func TestAFetchGivesUpAfterItsTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the fetch timeout")
	}
	idp := newProvider(t, rsaJWK("rsa", rsaKey, nil))
	idp.hold(t)
	f := newKeySet(t, idp.url())
	started := time.Now()
	_, err := f.set.Key("rsa", "RS256")
	assert.ErrorIs(t, err, ErrKeysUnavailable)
	assert.Less(t, time.Since(started), FetchTimeout+time.Second)
	assert.Equal(t, []string{"failure"}, f.outcomes.all())
}

func TestAnUnreachableProviderFailsTheFetch(t *testing.T) {
	idp := newProvider(t)
	url := idp.url()
	idp.server.Close()
	f := newKeySet(t, url)
	_, err := f.set.Key("rsa", "RS256")
	assert.ErrorIs(t, err, ErrKeysUnavailable)
	bad := newKeySet(t, "http://\x7f")
	_, err = bad.set.Key("rsa", "RS256")
	assert.ErrorIs(t, err, ErrKeysUnavailable)
}
