"""gunicorn's settings file (gunicorn reads ./gunicorn.conf.py; the command line wins):
the access log goes where ACCESS_LOG says (movienexus/config.py), by default the file
var/log/access.log, whose directory is made here. Reopen it after rotating with
`kill -USR1 <gunicorn master pid>`."""
import os

from movienexus.config import Settings

accesslog = Settings().access_log
if accesslog != "-":
    os.makedirs(os.path.dirname(accesslog) or ".", exist_ok=True)
