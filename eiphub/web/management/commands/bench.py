"""`eiphub bench`: run the benchmarks and print their figures.

Each benchmark is a module with ``NAME`` and ``run(scale: str, stdout) -> dict``.
Add a module path to ``SUITES`` to register one.  Benchmarks print figures;
they never assert a time (speed is not a unit-test concern).
"""

import importlib
import json

from django.core.management.base import BaseCommand

SUITES = [
    "eiphub.symbiosis.bench_matching",
    "eiphub.symbiosis.bench_network",
    "eiphub.flows.bench_import",
    "eiphub.reports.bench_dashboards",
]


class Command(BaseCommand):
    help = "Run benchmarks (matching, network optimisation, import, dashboards) and print figures."

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", default=[], help="run only these suites")
        parser.add_argument("--scale", choices=["small", "full"], default="full")
        parser.add_argument("--json", dest="json_out", help="also write all figures to this file")

    def handle(self, *args, only, scale, json_out, **kw):
        results = {}
        for path in SUITES:
            try:
                mod = importlib.import_module(path)
            except ModuleNotFoundError as exc:
                if exc.name == path:
                    continue
                raise
            name = getattr(mod, "NAME", path.rsplit(".", 1)[-1])
            if only and name not in only:
                continue
            self.stdout.write(self.style.MIGRATE_HEADING(f"== {name} ({scale})"))
            results[name] = mod.run(scale=scale, stdout=self.stdout)
        if json_out:
            with open(json_out, "w", encoding="utf-8") as fh:
                json.dump(results, fh, indent=2, default=str)
        if not results:
            self.stdout.write("no benchmark suites found")
