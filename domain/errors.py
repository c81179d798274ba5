"""Domain errors: each maps to one HTTP status at the edge (see api/errors.py)."""


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """The request is well-formed but breaks a business rule (400)."""


class NotFound(DomainError):
    """The thing asked for does not exist, or is not the caller's (404)."""


class Conflict(DomainError):
    """The change collides with the current state (409)."""


class ConcurrencyConflict(Conflict):
    """Another write to the same aggregate committed first (409)."""


class AuthenticationFailed(DomainError):
    """Wrong credentials, or a token that is no longer valid (401)."""


class RefreshTokenReused(AuthenticationFailed):
    """A spent refresh token came back: the session it belonged to is revoked."""


class Forbidden(DomainError):
    """Authenticated, but not allowed (403)."""
