import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "randers.settings")

application = get_wsgi_application()

try:  # never serve with an empty key (sessions, CSRF, signed links): Django refuses to read one
    settings.SECRET_KEY  # noqa: B018
except ImproperlyConfigured:
    raise ImproperlyConfigured("The environment variable SECRET_KEY is required.") from None
