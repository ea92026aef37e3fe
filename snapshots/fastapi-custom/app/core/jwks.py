"""An identity provider's signing keys, from its JSON Web Key Set at JWT_JWKS_URL (docs/contract.md,
Tokens from an identity provider).

The set is fetched on first use, never at start-up, so the service starts and its probes answer
while the provider is down. Its keys are used for MAX_AGE; after that, or when a token names a
`kid` the set lacks (a key rotated in), it is fetched again, at most once per COOLDOWN, one fetch
at a time. A fetched set replaces the keys held, so a key the provider removed stops verifying; a
failed fetch keeps them.
"""

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from jwt.exceptions import PyJWTError

from app.core.metrics import JWKS_FETCHES

logger = logging.getLogger(__name__)

MAX_AGE = 10 * 60  # seconds a fetched set is used before it is fetched again
# Seconds between two fetches, counted from the start of each attempt, failed or not: tokens naming
# unknown keys cannot make the service hammer its provider.
COOLDOWN = 30
FETCH_TIMEOUT = 2  # seconds a whole fetch may take
MAX_BODY_BYTES = 1024 * 1024  # a key set is a few KiB; more is not one
MIN_RSA_BITS = 2048  # RFC 7518, 3.3

PublicKey = RSAPublicKey | EllipticCurvePublicKey


class SigningKeysUnavailableError(Exception):
    """The token names a key the service does not hold, and the key set could not be fetched: the
    token may well be good (503, not 401)."""


class KeySetFetchError(Exception):
    """The provider answered, but not with a key set."""


@dataclass(frozen=True)
class SigningKey:
    """A provider's public key, and the one algorithm it verifies."""

    algorithm: str  # RS256 for an RSA key, ES256 for an EC key on P-256
    public_key: PublicKey
    declared_algorithm: str | None = None  # the JWK's own `alg`, when it has one

    def verifies(self, algorithm: str) -> bool:
        """Whether a token signed with `algorithm` may be verified with this key: its type suits
        the algorithm, and so does its `alg` when the JWK declares one."""
        return self.algorithm == algorithm and self.declared_algorithm in {None, algorithm}


def signing_key(jwk: dict[str, Any]) -> SigningKey | None:
    """The key a JWK describes, None when the service cannot use it: not meant for signatures
    (`use`), another type or curve, an RSA key under MIN_RSA_BITS, or malformed."""
    declared = jwk.get("alg")
    if jwk.get("use", "sig") != "sig" or not isinstance(declared, str | None):
        return None
    # Only the public members are handed to PyJWT: a JWK that also holds the private ones must
    # not make it build a private key. It checks the members, and the point against the curve.
    try:
        if jwk.get("kty") == "RSA":
            rsa_key = RSAAlgorithm.from_jwk({"kty": "RSA", "n": jwk.get("n"), "e": jwk.get("e")})
            if isinstance(rsa_key, RSAPublicKey) and rsa_key.key_size >= MIN_RSA_BITS:
                return SigningKey("RS256", rsa_key, declared)
        elif jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            members = {"kty": "EC", "crv": "P-256", "x": jwk.get("x"), "y": jwk.get("y")}
            ec_key = ECAlgorithm.from_jwk(members)
            if isinstance(ec_key, EllipticCurvePublicKey):
                return SigningKey("ES256", ec_key, declared)
    except (PyJWTError, ValueError, TypeError):  # members missing, not base64url, off the curve
        return None
    return None


def parse_key_set(body: bytes) -> dict[str, SigningKey]:
    """The usable keys of a JWK Set document, by `kid`; keys without a `kid` are skipped too.
    Raises KeySetFetchError when the document is not a key set at all."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, too deeply nested
        raise KeySetFetchError("not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise KeySetFetchError("not a JWK Set: no keys array")
    keys = {}
    for jwk in document["keys"]:
        kid = jwk.get("kid") if isinstance(jwk, dict) else None
        if not isinstance(kid, str) or not kid:
            continue
        key = signing_key(jwk)
        if key is not None:
            keys[kid] = key
    return keys


class KeySet:
    """The keys of the provider's set at `url`, fetched as the module says.

    `clock` is the monotonic clock in seconds (the tests give another).
    """

    def __init__(
        self,
        url: str,
        client: httpx.AsyncClient,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.client = client
        self.clock = clock
        self.keys: dict[str, SigningKey] = {}
        self.fetched_at: float | None = None  # when the keys held were fetched
        self.attempted_at: float | None = None  # when the last fetch started, whatever came of it
        self.last_fetch_failed = False
        # One fetch at a time: callers that need the set while it is fetched wait for that fetch,
        # then find it done (and the cooldown running), so they do not fetch again.
        self.fetching = asyncio.Lock()

    async def key(self, kid: str) -> SigningKey | None:
        """The key named `kid`, None when the set has none. Fetches the set first when it may
        (`wants_fetch`). Raises SigningKeysUnavailableError when the set lacks the key and the
        last fetch failed."""
        if self.wants_fetch(kid) and (self.fetching.locked() or self.may_fetch()):
            # Shielded: a request cancelled at its deadline leaves the fetch to finish for the
            # callers waiting on it, rather than cutting it short with nothing learnt.
            await asyncio.shield(self.fetch_once(kid))
        key = self.keys.get(kid)
        if key is None and self.last_fetch_failed:
            raise SigningKeysUnavailableError(kid)
        return key

    async def fetch_once(self, kid: str) -> None:
        """Fetches the set unless the fetch this caller waited for has done it (or the cooldown
        runs from it)."""
        async with self.fetching:
            if self.wants_fetch(kid) and self.may_fetch():
                await self.fetch()

    def wants_fetch(self, kid: str) -> bool:
        """Whether the set should be fetched for `kid`: never fetched, older than MAX_AGE, or
        without that key."""
        if self.fetched_at is None or kid not in self.keys:
            return True
        return self.clock() - self.fetched_at >= MAX_AGE

    def may_fetch(self) -> bool:
        return self.attempted_at is None or self.clock() - self.attempted_at >= COOLDOWN

    async def fetch(self) -> None:
        """Fetches the set: on success its keys replace those held; on failure those held stay
        in use, and the failure is logged and counted."""
        self.attempted_at = self.clock()
        try:
            # httpx's timeout bounds each step (connect, each read); this one the whole fetch.
            async with asyncio.timeout(FETCH_TIMEOUT):
                keys = parse_key_set(await self.download())
        except TimeoutError:
            self.fetch_failed(f"no key set within {FETCH_TIMEOUT} s")
        except (httpx.HTTPError, KeySetFetchError) as error:
            self.fetch_failed(str(error) or type(error).__name__)  # some have no message
        else:
            self.keys = keys
            self.fetched_at = self.attempted_at
            self.last_fetch_failed = False
            JWKS_FETCHES.labels("success").inc()

    def fetch_failed(self, reason: str) -> None:
        self.last_fetch_failed = True
        JWKS_FETCHES.labels("failure").inc()
        logger.warning("jwks fetch failed", extra={"url": self.url, "error": reason})

    async def download(self) -> bytes:
        """The set's body, at most MAX_BODY_BYTES of it. A redirect is not followed: it is an
        answer other than success, as any other."""
        async with self.client.stream("GET", self.url) as response:
            if not response.is_success:
                raise KeySetFetchError(f"answered {response.status_code}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    raise KeySetFetchError(f"key set is larger than {MAX_BODY_BYTES} bytes")
            return bytes(body)


def create_key_set(url: str) -> KeySet:
    """The key set at `url` (JWT_JWKS_URL), with an HTTP client of its own: close it with
    `key_set.client.aclose()`."""
    client = httpx.AsyncClient(timeout=FETCH_TIMEOUT, follow_redirects=False)
    return KeySet(url, client)
