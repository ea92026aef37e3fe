"""An identity provider for the tests: signing keys, the tokens they sign, and a real HTTP server
on loopback that serves their key set (JWT_JWKS_URL) and counts how often it is fetched."""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISSUER = "https://idp.example.test/realms/visiobook"
AUDIENCE = "media-service"


@dataclass(frozen=True)
class ProviderKey:
    """A key the provider signs with, published in its set under `kid`."""

    kid: str
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    @property
    def algorithm(self) -> str:
        return "RS256" if isinstance(self.private, rsa.RSAPrivateKey) else "ES256"

    def jwk(self, **members: Any) -> dict[str, Any]:
        """The key's public JWK, as providers publish it; `members` replace its members (None
        drops one)."""
        public = self.private.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            published = RSAAlgorithm.to_jwk(public, as_dict=True)
        else:
            published = ECAlgorithm.to_jwk(public, as_dict=True)
        published |= {"kid": self.kid, "use": "sig", "alg": self.algorithm, **members}
        return {name: value for name, value in published.items() if value is not None}

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        """A token signed with this key; `header` adds or replaces fields (kid=None drops it)."""
        fields = {"kid": self.kid, **header}
        algorithm = fields.pop("alg", self.algorithm)
        if fields["kid"] is None:
            del fields["kid"]
        return jwt.encode(claims, self.private, algorithm=algorithm, headers=fields)


# Generated once: an RSA key takes a while to make.
RSA_KEY = ProviderKey("rsa-1", rsa.generate_private_key(public_exponent=65537, key_size=2048))
ROTATED_RSA_KEY = ProviderKey(
    "rsa-2", rsa.generate_private_key(public_exponent=65537, key_size=2048)
)
EC_KEY = ProviderKey("ec-1", ec.generate_private_key(ec.SECP256R1()))


def claims(**changes: Any) -> dict[str, Any]:
    """A provider's access token for this service; `changes` replace claims (None drops one)."""
    now = int(time.time())
    values = {"iss": ISSUER, "aud": [AUDIENCE, "account"], "sub": "user-1", "iat": now,
              "exp": now + 600, "roles": ["editor"], **changes}  # fmt: skip
    return {name: value for name, value in values.items() if value is not None}


class IdentityProvider:
    """Serves a key set at /certs, as a provider's jwks_uri, from `keys` (or `body`, when set);
    answers `status` instead when it is not 200, after `delay` seconds, or a redirect to
    `redirect_to`. `requests` holds the path of every request, in order."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = [RSA_KEY.jwk(), EC_KEY.jwk()]
        self.body: bytes | None = None
        self.status = 200
        self.delay = 0.0
        self.redirect_to: str | None = None
        self.requests: list[str] = []
        self.closing = threading.Event()  # ends any delay at once
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.requests.append(self.path)
                provider.closing.wait(provider.delay)
                if provider.redirect_to is not None:
                    self.send_response(302)
                    self.send_header("Location", provider.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if provider.status != 200:
                    self.send_error(provider.status)
                    return
                body = provider.body
                if body is None:
                    body = json.dumps({"keys": provider.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # no request log in the tests' output

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/certs"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()
