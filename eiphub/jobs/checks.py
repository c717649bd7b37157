"""`manage.py check --deploy`: the production configuration's own requirements."""

import importlib
import os

from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def production_settings(app_configs, **kwargs):
    module = importlib.import_module(os.environ.get("DJANGO_SETTINGS_MODULE", "eiphub.settings"))
    return [
        Error(problem, hint="docs/deployment.md", id="eiphub.E001")
        for problem in getattr(module, "production_problems", list)()
    ]
