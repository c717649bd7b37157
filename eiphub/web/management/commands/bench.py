"""`eiphub bench`: run the benchmarks and print their figures.

Each benchmark is a module with ``NAME`` and ``run(scale: str, stdout) -> dict`` (a
``keep`` keyword is passed to suites that accept it).  Register one in ``SUITES`` (its
``NAME`` -> module path).  Only the selected suites are imported, so ``--only matching``
never imports (or sets up) the others.  Benchmarks print figures; they never assert a
time (speed is not a unit-test concern).
"""

import importlib
import inspect
import json

from django.core.management.base import BaseCommand, CommandError

SUITES = {
    "matching": "eiphub.symbiosis.bench_matching",
    "province_matching": "eiphub.exchange.bench_province",
    "network": "eiphub.symbiosis.bench_network",
    "import": "eiphub.flows.bench_import",
    "dashboards": "eiphub.reports.bench_dashboards",
    "scorecards": "eiphub.reports.bench_scorecards",
    "pages": "eiphub.web.bench_pages",
    "jobs": "eiphub.jobs.bench_jobs",
    "monitoring": "eiphub.monitoring.bench_monitoring",
}


class Command(BaseCommand):
    help = "Run benchmarks (matching, network optimisation, import, dashboards, ...) and print figures."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            help=f"run only these suites ({', '.join(SUITES)})",
        )
        parser.add_argument("--scale", choices=["small", "full"], default="full")
        parser.add_argument("--json", dest="json_out", help="also write all figures to this file")
        parser.add_argument(
            "--format",
            choices=["text", "json"],
            default="text",
            help="json: print one JSON object (a single suite's figures, or one per suite); "
            "the running commentary goes to stderr",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="keep the national database of the scorecards/pages suites for the next run",
        )

    def handle(self, *args, only, scale, json_out, format="text", keep=False, **kw):
        unknown = [name for name in only if name not in SUITES]
        if unknown:
            raise CommandError(
                f"unknown suite(s): {', '.join(unknown)}; choose from {', '.join(SUITES)}"
            )
        results = {}
        for name, path in SUITES.items():
            if only and name not in only:
                continue
            try:
                mod = importlib.import_module(path)
            except ModuleNotFoundError as exc:
                if exc.name == path:
                    continue
                raise
            say = self.stderr if format == "json" else self.stdout
            say.write(self.style.MIGRATE_HEADING(f"== {name} ({scale})"))
            extra = {"keep": keep} if "keep" in inspect.signature(mod.run).parameters else {}
            results[name] = mod.run(scale=scale, stdout=say, **extra)
        if json_out:
            with open(json_out, "w", encoding="utf-8") as fh:
                json.dump(results, fh, indent=2, default=str)
        if format == "json":
            one = next(iter(results.values())) if len(results) == 1 else results
            self.stdout.write(json.dumps(one, default=str))
        elif not results:
            self.stdout.write("no benchmark suites found")
