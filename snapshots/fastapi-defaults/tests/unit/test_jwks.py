"""An identity provider's key set (app/core/jwks.py) and its tokens (app/core/security.py),
against a real HTTP server on loopback (tests/identity_provider.py) and a clock the tests move."""

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import RSAAlgorithm
from prometheus_client import REGISTRY

from app.core import jwks
from app.core.config import Settings
from app.core.jwks import (
    COOLDOWN,
    MAX_AGE,
    MAX_BODY_BYTES,
    KeySet,
    KeySetFetchError,
    SigningKeysUnavailableError,
    create_key_set,
    parse_key_set,
    signing_key,
)
from app.core.security import InvalidTokenError, TokenVerifier, create_access_token
from tests.conftest import UNREACHABLE_DATABASE, make_settings
from tests.identity_provider import (
    AUDIENCE,
    EC_KEY,
    ISSUER,
    ROTATED_RSA_KEY,
    RSA_KEY,
    IdentityProvider,
    ProviderKey,
    claims,
)

# Keys the service must refuse.
SMALL_RSA_KEY = ProviderKey("rsa-small", rsa.generate_private_key(65537, key_size=1024))  # noqa: S505
P384_KEY = ProviderKey("ec-384", ec.generate_private_key(ec.SECP384R1()))


class Clock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def key_set(identity_provider: IdentityProvider, clock: Clock) -> AsyncIterator[KeySet]:
    keys = create_key_set(identity_provider.url)
    keys.clock = clock
    yield keys
    await keys.client.aclose()


def fetches(outcome: str) -> float:
    return REGISTRY.get_sample_value("jwks_fetches_total", {"outcome": outcome}) or 0.0


# Which keys of a set are used


def test_rsa_and_p256_keys_meant_for_signatures_are_used() -> None:
    rsa_key = signing_key(RSA_KEY.jwk())
    ec_key = signing_key(EC_KEY.jwk())
    assert rsa_key is not None
    assert ec_key is not None
    assert (rsa_key.algorithm, ec_key.algorithm) == ("RS256", "ES256")
    # `alg` and `use` are optional.
    bare = signing_key(RSA_KEY.jwk(alg=None, use=None))
    assert bare is not None
    assert bare.verifies("RS256")


@pytest.mark.parametrize(
    ("case", "jwk"),
    [
        ("an encryption key", RSA_KEY.jwk(use="enc")),
        ("an RSA key under 2048 bits", SMALL_RSA_KEY.jwk()),
        ("an EC key on P-384", P384_KEY.jwk(alg=None)),
        ("a key that says P-256 but is not", P384_KEY.jwk(crv="P-256", alg=None)),
        ("a symmetric key", {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}),
        ("an Ed25519 key", {"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": "AAAA"}),
        ("no modulus", RSA_KEY.jwk(n=None)),
        ("a modulus that is not base64url", RSA_KEY.jwk(n="***")),
        ("a modulus that is not a string", RSA_KEY.jwk(n=7)),
        ("a point off the curve", EC_KEY.jwk(y=EC_KEY.jwk()["x"])),
        ("an alg that is not a string", RSA_KEY.jwk(alg=256)),
    ],
)
def test_keys_the_service_cannot_use_are_skipped(case: str, jwk: dict[str, Any]) -> None:
    assert signing_key(jwk) is None, case


def test_a_key_published_with_its_private_members_verifies_as_its_public_key() -> None:
    assert isinstance(RSA_KEY.private, rsa.RSAPrivateKey)
    private = RSAAlgorithm.to_jwk(RSA_KEY.private, as_dict=True)
    key = signing_key({**private, "kid": RSA_KEY.kid})
    assert key is not None
    assert isinstance(key.public_key, rsa.RSAPublicKey)


def test_a_set_holds_its_usable_keys_by_kid() -> None:
    document = {
        "keys": [
            RSA_KEY.jwk(),
            EC_KEY.jwk(),
            RSA_KEY.jwk(kid=None),  # no kid
            RSA_KEY.jwk(kid=""),
            SMALL_RSA_KEY.jwk(),
            "not a key",
        ]
    }
    keys = parse_key_set(json.dumps(document).encode())
    assert set(keys) == {"rsa-1", "ec-1"}


@pytest.mark.parametrize(
    "body", [b"", b"<html>", b"\xff", b"[]", b'{"keys": {}}', b'{"other": []}', b"[" * 100_000]
)
def test_a_document_that_is_not_a_key_set_is_refused(body: bytes) -> None:
    with pytest.raises(KeySetFetchError):
        parse_key_set(body)


# When the set is fetched


async def test_the_set_is_fetched_at_first_use_and_its_keys_kept(
    identity_provider: IdentityProvider, key_set: KeySet, clock: Clock
) -> None:
    assert identity_provider.requests == []  # creating the key set fetches nothing
    before = fetches("success")
    key = await key_set.key("rsa-1")
    assert key is not None
    assert key.algorithm == "RS256"
    assert await key_set.key("ec-1") is not None
    clock.advance(MAX_AGE - 1)
    assert await key_set.key("rsa-1") is not None
    assert len(identity_provider.requests) == 1
    assert fetches("success") == before + 1


async def test_keys_older_than_ten_minutes_are_fetched_again(
    identity_provider: IdentityProvider, key_set: KeySet, clock: Clock
) -> None:
    await key_set.key("rsa-1")
    clock.advance(MAX_AGE)
    identity_provider.keys = [ROTATED_RSA_KEY.jwk()]
    assert await key_set.key("rsa-1") is None  # fetched again: the provider dropped it
    assert len(identity_provider.requests) == 2


async def test_an_unknown_kid_is_fetched_for_only_after_the_cooldown(
    identity_provider: IdentityProvider, key_set: KeySet, clock: Clock
) -> None:
    await key_set.key("rsa-1")
    identity_provider.keys.append(ROTATED_RSA_KEY.jwk())
    clock.advance(COOLDOWN - 1)
    assert await key_set.key("rsa-2") is None  # within the cooldown: not fetched, unknown (401)
    assert len(identity_provider.requests) == 1
    clock.advance(1)
    assert await key_set.key("rsa-2") is not None
    assert len(identity_provider.requests) == 2
    assert await key_set.key("rsa-9") is None  # a new cooldown has started
    assert len(identity_provider.requests) == 2


async def test_a_fetched_set_replaces_the_keys_held(
    identity_provider: IdentityProvider, key_set: KeySet, clock: Clock
) -> None:
    await key_set.key("rsa-1")
    identity_provider.keys = [ROTATED_RSA_KEY.jwk(), EC_KEY.jwk()]
    clock.advance(COOLDOWN)
    assert await key_set.key("rsa-2") is not None
    assert await key_set.key("rsa-1") is None  # removed by the provider: no longer verifies
    assert await key_set.key("ec-1") is not None


async def test_a_failed_fetch_keeps_the_keys_held_and_is_logged_and_counted(
    identity_provider: IdentityProvider,
    key_set: KeySet,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await key_set.key("rsa-1")
    identity_provider.status = 500
    clock.advance(MAX_AGE)
    before = fetches("failure")
    with caplog.at_level(logging.WARNING, logger="app.core.jwks"):
        assert await key_set.key("rsa-1") is not None  # stale, but still in use
    assert len(identity_provider.requests) == 2
    assert fetches("failure") == before + 1
    [record] = [record for record in caplog.records if record.name == "app.core.jwks"]
    assert (record.levelname, record.getMessage()) == ("WARNING", "jwks fetch failed")
    assert record.__dict__["url"] == identity_provider.url
    assert "500" in record.__dict__["error"]
    # The key the token names is not held and the set cannot be fetched: 503, not 401.
    clock.advance(COOLDOWN)
    with pytest.raises(SigningKeysUnavailableError):
        await key_set.key("rsa-2")
    assert len(identity_provider.requests) == 3


async def test_the_cooldown_runs_from_a_failed_attempt_too(
    identity_provider: IdentityProvider, key_set: KeySet, clock: Clock
) -> None:
    identity_provider.status = 503
    with pytest.raises(SigningKeysUnavailableError):
        await key_set.key("rsa-1")
    identity_provider.status = 200
    clock.advance(COOLDOWN - 1)
    with pytest.raises(SigningKeysUnavailableError):  # the provider is back, but not asked yet
        await key_set.key("rsa-1")
    assert len(identity_provider.requests) == 1
    clock.advance(1)
    assert await key_set.key("rsa-1") is not None
    # Once a fetch succeeds, an unknown kid is an unknown key (401), no longer a 503.
    assert await key_set.key("rsa-9") is None


async def test_callers_that_need_the_set_at_once_share_one_fetch(
    identity_provider: IdentityProvider, key_set: KeySet
) -> None:
    identity_provider.delay = 0.3
    found = await asyncio.gather(
        *(key_set.key(kid) for kid in ["rsa-1", "ec-1", "rsa-9"] * 5),
    )
    assert len(identity_provider.requests) == 1
    assert [key is not None for key in found] == [True, True, False] * 5


async def test_callers_waiting_on_a_failing_fetch_all_get_its_failure(
    identity_provider: IdentityProvider, key_set: KeySet
) -> None:
    identity_provider.delay = 0.2
    identity_provider.status = 500
    answers = await asyncio.gather(
        *(key_set.key("rsa-1") for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(answer, SigningKeysUnavailableError) for answer in answers)
    assert len(identity_provider.requests) == 1


async def test_a_caller_that_gives_up_leaves_the_fetch_to_the_others(
    identity_provider: IdentityProvider, key_set: KeySet
) -> None:
    identity_provider.delay = 0.3
    impatient = asyncio.wait_for(key_set.key("rsa-1"), timeout=0.1)  # starts the fetch
    patient = key_set.key("ec-1")  # waits for it
    answers = await asyncio.gather(impatient, patient, return_exceptions=True)
    assert isinstance(answers[0], TimeoutError)
    assert isinstance(answers[1], jwks.SigningKey)
    assert len(identity_provider.requests) == 1
    assert await key_set.key("rsa-1") is not None


async def test_a_fetch_gives_up_after_its_timeout(
    identity_provider: IdentityProvider, key_set: KeySet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jwks, "FETCH_TIMEOUT", 0.2)
    identity_provider.delay = 5
    started = time.monotonic()
    with pytest.raises(SigningKeysUnavailableError):
        await key_set.key("rsa-1")
    assert time.monotonic() - started < 2


async def test_a_set_of_at_most_1_mib_is_read_and_a_larger_one_refused(
    identity_provider: IdentityProvider, key_set: KeySet, clock: Clock
) -> None:
    document = json.dumps({"keys": [RSA_KEY.jwk(), EC_KEY.jwk()]}).encode()
    identity_provider.body = document.ljust(MAX_BODY_BYTES)  # JSON allows trailing spaces
    assert await key_set.key("rsa-1") is not None
    identity_provider.body = document.ljust(MAX_BODY_BYTES + 1)
    clock.advance(MAX_AGE)
    before = fetches("failure")
    assert await key_set.key("rsa-1") is not None  # the keys held stay in use
    assert fetches("failure") == before + 1
    assert key_set.last_fetch_failed


async def test_a_redirect_is_not_followed(
    identity_provider: IdentityProvider, key_set: KeySet
) -> None:
    identity_provider.redirect_to = identity_provider.url + "?moved"
    with pytest.raises(SigningKeysUnavailableError):
        await key_set.key("rsa-1")
    assert identity_provider.requests == ["/certs"]


async def test_a_provider_that_is_not_there_is_a_failed_fetch(key_set: KeySet) -> None:
    key_set.url = "http://127.0.0.1:9/certs"  # discard: nothing listens
    with pytest.raises(SigningKeysUnavailableError):
        await key_set.key("rsa-1")


# Which tokens are accepted


@pytest.fixture
def settings(identity_provider: IdentityProvider) -> Settings:
    return make_settings(
        UNREACHABLE_DATABASE,
        jwt_jwks_url=identity_provider.url,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
    )


@pytest.fixture
def verifier(settings: Settings, key_set: KeySet) -> TokenVerifier:
    return TokenVerifier(settings, key_set)


@pytest.mark.parametrize("key", [RSA_KEY, EC_KEY], ids=["RS256", "ES256"])
async def test_a_provider_token_names_its_caller_and_roles(
    verifier: TokenVerifier, key: ProviderKey
) -> None:
    principal = await verifier.verify(key.sign(claims(roles="editor admin")))
    assert principal.subject == "user-1"
    assert principal.roles == {"editor", "admin"}


async def test_an_audience_given_as_a_string_is_accepted(verifier: TokenVerifier) -> None:
    assert await verifier.verify(RSA_KEY.sign(claims(aud=AUDIENCE)))


@pytest.mark.parametrize(
    ("case", "token"),
    [
        ("another issuer", RSA_KEY.sign(claims(iss="https://other.example.test"))),
        ("no issuer", RSA_KEY.sign(claims(iss=None))),
        ("another audience", RSA_KEY.sign(claims(aud="billing-service"))),
        ("an audience array without it", RSA_KEY.sign(claims(aud=["billing", "account"]))),
        ("no audience", RSA_KEY.sign(claims(aud=None))),
        ("expired", RSA_KEY.sign(claims(exp=int(time.time()) - 10))),
        ("no exp", RSA_KEY.sign(claims(exp=None))),
        ("no sub", RSA_KEY.sign(claims(sub=None))),
        ("roles of another shape", RSA_KEY.sign(claims(roles={"editor": True}))),
        ("no kid", RSA_KEY.sign(claims(), kid=None)),
        ("a kid the set lacks", RSA_KEY.sign(claims(), kid="rsa-9")),
        ("ES256 naming the RSA key", EC_KEY.sign(claims(), kid="rsa-1")),
        ("RS256 naming the EC key", RSA_KEY.sign(claims(), kid="ec-1")),
        ("RS384", RSA_KEY.sign(claims(), alg="RS384")),
        ("PS256", RSA_KEY.sign(claims(), alg="PS256")),
        ("a forged signature", ProviderKey("rsa-1", ROTATED_RSA_KEY.private).sign(claims())),
        ("not a JWT", "not.a.jwt"),
    ],
)
async def test_tokens_the_provider_did_not_issue_for_this_service_are_invalid(
    verifier: TokenVerifier, case: str, token: str
) -> None:
    with pytest.raises(InvalidTokenError):
        await verifier.verify(token)


async def test_a_token_without_kid_is_refused_without_asking_the_provider(
    identity_provider: IdentityProvider, verifier: TokenVerifier
) -> None:
    with pytest.raises(InvalidTokenError, match="kid"):
        await verifier.verify(RSA_KEY.sign(claims(), kid=None))
    assert identity_provider.requests == []


async def test_a_key_whose_jwk_names_another_alg_does_not_verify(
    identity_provider: IdentityProvider, verifier: TokenVerifier
) -> None:
    identity_provider.keys = [RSA_KEY.jwk(alg="RS512")]
    with pytest.raises(InvalidTokenError, match="does not verify RS256"):
        await verifier.verify(RSA_KEY.sign(claims()))


async def test_the_services_own_tokens_still_verify_without_the_provider(
    identity_provider: IdentityProvider, settings: Settings, verifier: TokenVerifier
) -> None:
    identity_provider.status = 500
    principal = await verifier.verify(create_access_token("svc", settings, roles=["admin"]))
    assert principal.roles == {"admin"}
    assert identity_provider.requests == []  # an HS256 token never needs the key set


async def test_provider_tokens_are_invalid_without_a_key_set(
    identity_provider: IdentityProvider,
) -> None:
    verifier = TokenVerifier(make_settings(UNREACHABLE_DATABASE))
    with pytest.raises(InvalidTokenError, match="without JWT_JWKS_URL"):
        await verifier.verify(RSA_KEY.sign(claims()))
    assert identity_provider.requests == []


async def test_a_token_naming_a_key_that_cannot_be_fetched_is_not_called_invalid(
    identity_provider: IdentityProvider, verifier: TokenVerifier
) -> None:
    identity_provider.status = 500
    with pytest.raises(SigningKeysUnavailableError):
        await verifier.verify(RSA_KEY.sign(claims()))
