"""gunicorn entry point: `gunicorn api.wsgi:app`."""
import gc

from movienexus.logs import configure_logging
from api import create_app

configure_logging()
app = create_app()
# Everything imported so far lives as long as the process: keep it out of the cyclic
# collector's scans, so full collections under load only walk per-request garbage.
gc.freeze()
