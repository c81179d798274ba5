"""Who is asking: an access token (Authorization: Bearer, or `access_token` in the query,
since a browser's EventSource cannot send headers) whose session is live, checked as
every /me read checks it (adapters/revocations.py)."""
from __future__ import annotations

from dataclasses import dataclass

import jwt

from adapters.revocations import LiveSessions


class NotAuthenticated(Exception):
    pass


@dataclass(frozen=True)
class Caller:
    user_id: str
    session_id: str


def caller_of(token: str | None, secret: str, sessions: LiveSessions) -> Caller:
    if not token:
        raise NotAuthenticated("Send an access token (Authorization: Bearer …).")
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        raise NotAuthenticated("The access token is not valid.") from None
    caller = Caller(str(claims.get("sub")), str(claims.get("sid")))
    if claims.get("type") != "access" or not sessions.is_live(caller.user_id,
                                                              caller.session_id):
        raise NotAuthenticated("The session of this token has ended; log in again.")
    return caller


def bearer_token(authorization: str | None, query_token: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else query_token
