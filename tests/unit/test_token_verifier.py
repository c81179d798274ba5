"""The one token verifier (api/security.py): flask-jwt-extended's decode from the app's
configuration, with a per-process cache that rechecks only the expiry (with the leeway)."""
from datetime import timedelta

import jwt as pyjwt
import pytest
from flask import Flask
from flask_jwt_extended import create_access_token

from api import security
from movienexus.config import Settings


def app_with(**config) -> Flask:
    app = Flask("t")
    security.configure(app, Settings())
    app.config.update(config)
    return app


def token(app: Flask, expires: timedelta, **claims) -> str:
    with app.app_context():
        return create_access_token("u", expires_delta=expires, additional_claims=claims)


def test_a_verified_token_is_served_from_the_cache_until_it_expires(monkeypatch):
    app = app_with()
    verifier = app.extensions[security.VERIFIER]
    signed = token(app, timedelta(minutes=5), sid="s")
    assert verifier.claims(signed)["sid"] == "s"
    monkeypatch.setattr(security.JWTManager, "_decode_jwt_from_config",
                        lambda *_: pytest.fail("decoded again"))
    assert verifier.claims(signed)["sid"] == "s"


def test_the_leeway_in_force_applies_to_the_first_decode_and_to_the_cache(monkeypatch):
    app = app_with(JWT_DECODE_LEEWAY=30)
    verifier = app.extensions[security.VERIFIER]
    late = token(app, timedelta(seconds=-10))      # expired 10 s ago, within the leeway
    clock = security.time.time()
    assert verifier.claims(late)["sub"] == "u"

    def decoded_again(*_args):
        raise pyjwt.ExpiredSignatureError("decoded again")
    monkeypatch.setattr(security.JWTManager, "_decode_jwt_from_config", decoded_again)
    monkeypatch.setattr(security.time, "time", lambda: clock + 15)
    assert verifier.claims(late)["sub"] == "u"      # cached: 25 s past expiry, still in
    monkeypatch.setattr(security.time, "time", lambda: clock + 25)
    with pytest.raises(pyjwt.ExpiredSignatureError, match="decoded again"):
        verifier.claims(late)                       # beyond it: decoded (and refused)


@pytest.mark.parametrize("option, value", [("JWT_DECODE_AUDIENCE", "elsewhere"),
                                           ("JWT_DECODE_ISSUER", "someone-else")])
def test_every_decode_option_in_force_is_honoured(option, value):
    signed = token(app_with(), timedelta(minutes=5))
    with pytest.raises(pyjwt.InvalidTokenError):
        app_with(**{option: value}).extensions[security.VERIFIER].claims(signed)
