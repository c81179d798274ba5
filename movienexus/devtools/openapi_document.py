"""Writes the OpenAPI document the API serves, as the TypeScript client's generator reads
it (`make client`): `python -m movienexus.devtools.openapi_document PATH`."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def served_document() -> dict:
    """/api/v1/openapi.json as the app answers it (nothing is connected to build it)."""
    from api import create_app
    return create_app().test_client().get("/api/v1/openapi.json").get_json()


def canonical(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    Path(argv[0]).write_text(canonical(served_document()))
    print(f"wrote {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
