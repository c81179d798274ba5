"""What one server instance holds: the catalog, the faults, the stats, the keys."""
from __future__ import annotations

from dataclasses import dataclass

from .catalog import Catalog
from .faults import FaultInjector
from .stats import RequestStats

DEFAULT_API_KEY = "movienexus-dev-key"


@dataclass(frozen=True)
class ServerState:
    catalog: Catalog
    faults: FaultInjector
    stats: RequestStats
    credentials: frozenset[str]  # accepted as ?api_key= and as Bearer tokens

    def authorised(self, api_key: str | None, authorization: str | None) -> bool:
        """True for a known ``api_key``, or a known token in "Bearer <token>"."""
        if api_key is not None:
            return api_key in self.credentials
        scheme, _, token = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and token.strip() in self.credentials
