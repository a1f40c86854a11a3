import os
import sys

from django.core.wsgi import get_wsgi_application

from deltaregio.config import ConfigError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deltaregio.settings")
try:
    application = get_wsgi_application()
except ConfigError as exc:  # one plain line instead of a traceback, and no server
    print(f"deltaregio: configuration error: {exc}", file=sys.stderr)
    sys.exit(2)
