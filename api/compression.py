"""gzip for JSON bodies over 1 KB (api/finisher.py decides when). A body with an ETag
is compressed once per process: the same document asked again is sent from a small LRU
of its gzip bytes (the hot reads and the Flask app share it)."""
from __future__ import annotations

import gzip
import threading
from collections import OrderedDict

MIN_SIZE = 1024
LEVEL = 5
CACHED_BODIES = 512
_gzipped: OrderedDict[str, bytes] = OrderedDict()
_lock = threading.Lock()        # gunicorn's sync workers have one thread; others may not


def gzipped(body: bytes, etag: str | None = None) -> bytes:
    """The body's gzip bytes (mtime 0: the same body always compresses the same)."""
    if etag is None:
        return gzip.compress(body, compresslevel=LEVEL, mtime=0)
    with _lock:
        found = _gzipped.get(etag)
        if found is not None:
            _gzipped.move_to_end(etag)
            return found
    found = gzip.compress(body, compresslevel=LEVEL, mtime=0)
    with _lock:
        _gzipped[etag] = found
        if len(_gzipped) > CACHED_BODIES:
            _gzipped.popitem(last=False)
    return found
