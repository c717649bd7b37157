import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eiphub.settings")
application = get_wsgi_application()


def _refuse_public_defaults():
    """Serving with DEBUG off outside the demo needs a private SECRET_KEY and the
    ALLOWED_HOSTS named (docs/deployment.md)."""
    import importlib

    from django.conf import settings

    if settings.DEBUG or getattr(settings, "EIPHUB_DEMO", False):
        return
    module = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    if getattr(module, "_TESTING", False):  # tests drive the WSGI app with test settings
        return
    problems = getattr(module, "production_problems", list)()
    if problems:
        raise ImproperlyConfigured("; ".join(problems))


_refuse_public_defaults()
