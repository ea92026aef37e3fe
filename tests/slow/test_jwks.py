"""Slow tier: every backend accepts an identity provider's tokens alike (docs/contract.md, Tokens
from an identity provider): RS256 and ES256 tokens verified with the key of the provider's key
set their `kid` names, its `iss` and `aud` checked; the set fetched once and kept; fetched again
for an unknown `kid` only after the 30-second cooldown; 503 while it cannot be fetched; the
service's own HS256 tokens still accepted.

The three backends run at once, each with a provider of its own (a real HTTP server on
loopback that counts the fetches), so the cooldowns are waited out once for all of them."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import SERVICE_STACKS
from tests.slow.conftest import RESOURCE
from tests.slow.postgres import PostgresServer
from tests.slow.services import RunningService, access_token, launch, stop_gracefully

pytestmark = pytest.mark.slow

COLLECTION = f"/api/v1/{RESOURCE}"
ISSUER = "https://idp.example.test/realms/visiobook"
AUDIENCE = "media-service"
COOLDOWN = 30  # seconds between two fetches of the key set (docs/contract.md)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _uint(number: int, size: int | None = None) -> str:
    length = size or (number.bit_length() + 7) // 8
    return _b64(number.to_bytes(length, "big"))


@dataclass
class SigningKey:
    """A key the provider signs with, and the JWK it publishes for it."""

    kid: str
    alg: str
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    @classmethod
    def rsa(cls, kid: str) -> SigningKey:
        return cls(kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def ec(cls, kid: str) -> SigningKey:
        return cls(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))

    def jwk(self) -> dict[str, str]:
        public = self.private.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            numbers = public.public_numbers()
            return {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": self.alg,
                    "n": _uint(numbers.n), "e": _uint(numbers.e)}  # fmt: skip
        assert isinstance(public, ec.EllipticCurvePublicKey)
        point = public.public_numbers()
        return {"kty": "EC", "kid": self.kid, "use": "sig", "alg": self.alg, "crv": "P-256",
                "x": _uint(point.x, 32), "y": _uint(point.y, 32)}  # fmt: skip

    def sign(self, claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
        """A JWT signed with this key; `header` replaces the fields it names (None drops one)."""
        fields = {"alg": self.alg, "typ": "JWT", "kid": self.kid, **(header or {})}
        fields = {name: value for name, value in fields.items() if value is not None}
        signing_input = f"{_b64(json.dumps(fields).encode())}.{_b64(json.dumps(claims).encode())}"
        data = signing_input.encode()
        if isinstance(self.private, rsa.RSAPrivateKey):
            signature = self.private.sign(data, padding.PKCS1v15(), hashes.SHA256())
        else:
            r, s = decode_dss_signature(self.private.sign(data, ec.ECDSA(hashes.SHA256())))
            signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")  # JWS: r || s, not DER
        return f"{signing_input}.{_b64(signature)}"


def provider_claims(**changes: Any) -> dict[str, Any]:
    """An identity provider's access token for this service; `changes` replace claims (None
    drops one)."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": [AUDIENCE, "account"], "sub": f"user-{uuid.uuid4()}",
              "iat": now, "exp": now + 600, "roles": ["editor"], **changes}  # fmt: skip
    return {name: value for name, value in claims.items() if value is not None}


class IdentityProvider:
    """Serves a key set at /certs over HTTP, as a provider's jwks_uri does, and remembers when
    it was fetched. While `failing`, it answers 500."""

    def __init__(self, keys: list[SigningKey]) -> None:
        self.published = list(keys)
        self.failing = False
        self.fetches: list[float] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.fetches.append(time.monotonic())
                if provider.failing:
                    self.send_error(500)
                    return
                body = json.dumps({"keys": [key.jwk() for key in provider.published]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/certs"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_out_the_cooldown(self) -> None:
        time.sleep(max(0.0, self.fetches[-1] + COOLDOWN + 1 - time.monotonic()))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Backend:
    service: RunningService
    provider: IdentityProvider
    keys: dict[str, SigningKey] = field(default_factory=dict)

    def get(self, token: str) -> httpx.Response:
        return httpx.get(
            f"{self.service.base}{COLLECTION}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

    def fetches(self, outcome: str) -> float:
        text = httpx.get(f"{self.service.metrics}/metrics", timeout=5).text
        return sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "jwks_fetches_total" and sample.labels.get("outcome") == outcome
        )


@pytest.fixture(scope="module")
def backends(request: pytest.FixtureRequest, postgres: PostgresServer) -> Iterator[list[Backend]]:
    """Every backend behind a provider that fails at first."""
    started: list[Backend] = []
    try:
        for stack in SERVICE_STACKS:
            keys = {"rsa-1": SigningKey.rsa("rsa-1"), "ec-1": SigningKey.ec("ec-1")}
            provider = IdentityProvider(list(keys.values()))
            provider.failing = True
            environment = {
                "JWT_JWKS_URL": provider.url,
                "JWT_ISSUER": ISSUER,
                "JWT_AUDIENCE": AUDIENCE,
            }
            service = launch(stack, request, postgres, f"jwks_{stack}", environment)
            started.append(Backend(service, provider, keys))
        yield started
    finally:
        for backend in started:
            stop_gracefully(backend.service)
            backend.provider.close()


def expect(backends: list[Backend], check: Any) -> None:
    """Runs `check(backend)` on each, and reports every backend that failed it at once."""
    failures = []
    for backend in backends:
        try:
            check(backend)
        except AssertionError as error:
            failures.append(f"{backend.service.stack}: {error}")
    assert not failures, "\n".join(failures)


def test_while_the_key_set_cannot_be_fetched_provider_tokens_get_503(
    backends: list[Backend],
) -> None:
    def check(backend: Backend) -> None:
        assert backend.provider.fetches == [], "fetched at start-up"
        token = backend.keys["rsa-1"].sign(provider_claims())
        answer = backend.get(token)
        assert answer.status_code == 503, answer.text
        error = answer.json()["error"]
        assert (error["code"], error["message"]) == (
            "SERVICE_UNAVAILABLE",
            "signing keys are unavailable",
        )
        # The service's own tokens do not need the provider.
        assert backend.get(access_token()).status_code == 200
        # Back up, but the cooldown holds: no second fetch yet, still 503.
        backend.provider.failing = False
        assert backend.get(token).status_code == 503
        assert len(backend.provider.fetches) == 1
        assert backend.fetches("failure") == 1

    expect(backends, check)


def test_after_the_cooldown_the_set_is_fetched_once_and_its_tokens_verify(
    backends: list[Backend],
) -> None:
    for backend in backends:
        backend.provider.wait_out_the_cooldown()

    def check(backend: Backend) -> None:
        rsa_token = backend.keys["rsa-1"].sign(provider_claims(roles=[]))
        assert backend.get(rsa_token).status_code == 200
        editor = backend.keys["ec-1"].sign(provider_claims(roles="editor"))
        created = httpx.post(
            f"{backend.service.base}{COLLECTION}",
            json={"name": f"jwks-{uuid.uuid4()}"},
            headers={"Authorization": f"Bearer {editor}"},
            timeout=10,
        )
        assert created.status_code == 201, created.text
        reader = backend.keys["ec-1"].sign(provider_claims(roles=[]))
        refused = httpx.post(
            f"{backend.service.base}{COLLECTION}",
            json={"name": f"jwks-{uuid.uuid4()}"},
            headers={"Authorization": f"Bearer {reader}"},
            timeout=10,
        )
        assert refused.status_code == 403, refused.text
        for _ in range(10):
            assert backend.get(rsa_token).status_code == 200
        assert len(backend.provider.fetches) == 2, "the keys were not kept"
        assert backend.fetches("success") == 1

    expect(backends, check)


def test_tokens_the_provider_did_not_issue_for_this_service_are_401(
    backends: list[Backend],
) -> None:
    def check(backend: Backend) -> None:
        rsa_key, ec_key = backend.keys["rsa-1"], backend.keys["ec-1"]
        stranger = SigningKey.rsa("rsa-1")  # the right kid, another key
        refused = {
            "another issuer": rsa_key.sign(provider_claims(iss="https://other.example.test")),
            "another audience": rsa_key.sign(provider_claims(aud="billing-service")),
            "no audience": rsa_key.sign(provider_claims(aud=None)),
            "no kid": rsa_key.sign(provider_claims(), {"kid": None}),
            "a kid the set lacks": rsa_key.sign(provider_claims(), {"kid": "rsa-9"}),
            "ES256 naming the RSA key": ec_key.sign(provider_claims(), {"kid": "rsa-1"}),
            "a forged signature": stranger.sign(provider_claims()),
            "expired": rsa_key.sign(provider_claims(exp=int(time.time()) - 10)),
        }
        wrong = {}
        for case, token in refused.items():
            answer = backend.get(token)
            if answer.status_code != 401:
                wrong[case] = answer.status_code
            else:
                assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        assert not wrong, wrong
        # An unknown kid within the cooldown is refused without asking the provider again.
        assert len(backend.provider.fetches) == 2

    expect(backends, check)


def test_a_key_rotated_in_verifies_after_the_cooldown_and_a_removed_one_stops(
    backends: list[Backend],
) -> None:
    for backend in backends:
        backend.keys["rsa-2"] = SigningKey.rsa("rsa-2")
        backend.provider.published = [backend.keys["rsa-2"], backend.keys["ec-1"]]
    for backend in backends:
        backend.provider.wait_out_the_cooldown()

    def check(backend: Backend) -> None:
        rotated = backend.keys["rsa-2"].sign(provider_claims())
        assert backend.get(rotated).status_code == 200
        assert len(backend.provider.fetches) == 3
        # The fetched set replaced the keys held: rsa-1, gone from it, no longer verifies.
        assert backend.get(backend.keys["rsa-1"].sign(provider_claims())).status_code == 401
        assert backend.get(backend.keys["ec-1"].sign(provider_claims())).status_code == 200
        assert len(backend.provider.fetches) == 3

    expect(backends, check)
