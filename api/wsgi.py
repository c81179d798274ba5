"""gunicorn entry point: `gunicorn api.wsgi:app`."""
from movienexus.logs import configure_logging
from api import create_app

configure_logging()
app = create_app()
