"""`eiphub demo [--no-serve] [--port N] [--reset] [--no-worker]`: migrate, load the
illustrative demo data, print the demo logins and serve the app with a job worker
and the beat scheduler beside it (subprocesses, stopped together on Ctrl+C)."""

import importlib
import os

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from eiphub.registry.demo import DEMO_PASSWORD, REPORT_USERS, ROLE_USERS, load_demo

# Other apps add illustrative records on top of the registry demo: each is a
# function ``load(stdout) -> dict`` that creates its records once (idempotent).
DEMO_EXTENSIONS = [
    "eiphub.reports.demo.load",
    "eiphub.exchange.demo.load",
    "eiphub.networks.demo.create_demo_scenarios",
    "eiphub.monitoring.demo.load",
    "eiphub.finance.demo.load",
    "eiphub.programme.demo.load",
]


def run_extensions(stdout) -> dict:
    counts = {}
    for path in DEMO_EXTENSIONS:
        module, name = path.rsplit(".", 1)
        counts.update(getattr(importlib.import_module(module), name)(stdout=stdout) or {})
    return counts


class Command(BaseCommand):
    help = "Migrate the database, load the illustrative demo data and run the development server."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="load the data and exit")
        parser.add_argument(
            "--port", type=int, default=8000, help="port to serve on (default 8000)"
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo data and load it again"
        )
        parser.add_argument("--months", type=int, default=24, help="months of flows to generate")
        parser.add_argument(
            "--no-worker", action="store_true", help="serve without the background-job worker"
        )

    def handle(self, *args, no_serve, port, reset, months, no_worker=False, **options):
        if not 0 < port < 65536:
            raise CommandError(_("Port must be between 1 and 65535."))
        if months < 1:
            raise CommandError(_("Months must be at least 1."))
        call_command("migrate", interactive=False, verbosity=0)
        counts = load_demo(stdout=self.stdout, months=months, reset=reset)
        run_extensions(self.stdout)
        if not counts["created"]:
            self.stdout.write(
                _("Demo data already present (%(n)s enterprises); use --reset to reload it.")
                % {"n": counts["enterprises"]}
            )
        url = f"http://127.0.0.1:{port}/"
        self.stdout.write(_("Demo logins (password “%(pw)s”):") % {"pw": DEMO_PASSWORD})
        from eiphub.exchange.demo_nego import LOGINS

        for name in (*ROLE_USERS, *REPORT_USERS, *LOGINS, "admin"):
            self.stdout.write(f"  {name}")
        self.stdout.write(_("All demo data are fictional (illustrative)."))
        if no_serve:
            self.stdout.write(
                _("Start the server with: eiphub runserver (then open %(url)s)") % {"url": url}
            )
            return
        from django.conf import settings

        from eiphub.jobs.embedded import background_processes

        # The demo serves with its public key and shows its logins (DEBUG stays as set).
        os.environ["EIPHUB_DEMO"] = "1"
        settings.EIPHUB_DEMO = settings.EIPHUB_SHOW_DEMO_LOGINS = True
        self.stdout.write(_("Serving on %(url)s — press Ctrl+C to stop.") % {"url": url})
        with background_processes(self.stdout, enabled=not no_worker):
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
