"""`eiphub readiness [--format json]`: compute the readiness ranking and the investor
opportunities now (the ``programme.readiness`` job's work, stored the same way) and print
the ranking."""

import json

from django.core.management.base import BaseCommand

from eiphub.programme import services as S


class Command(BaseCommand):
    help = "Compute and store the parks' readiness ranking; print it."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args, format="text", **options):
        job = S.run_now()
        parks = job.result["parks"]
        if format == "json":
            rows = [
                {k: p[k] for k in ("rank", "code", "score", "components", "group")} for p in parks
            ]
            self.stdout.write(
                json.dumps({"job": job.pk, "year": job.result["year"], "parks": rows})
            )
            return
        for p in parks:
            comps = " ".join(f"{k}={v:.2f}" for k, v in p["components"].items())
            self.stdout.write(
                f"{p['rank']:>3} {p['code']:<12} {p['score']:.3f}  {comps}  [{p['group']}]"
            )
        self.stdout.write(f"job {job.pk}, reference year {job.result['year']}")
