"""`eiphub recompute`: rebuild the stored results (scorecards, park-year and area aggregates)."""

import time

from django.core.management.base import BaseCommand, CommandError

from eiphub.registry.models import Park
from eiphub.reports import stored


class Command(BaseCommand):
    help = "Recompute the stored scorecards and aggregates (all parks and years by default)."

    def add_arguments(self, parser):
        parser.add_argument("--park", action="append", default=[], help="park code (repeatable)")
        parser.add_argument("--year", action="append", type=int, default=[], help="year")
        parser.add_argument("--workers", type=int, default=1, help="parallel processes")

    def handle(self, *args, park, year, workers, **kw):
        ids = None
        if park:
            found = dict(Park.objects.filter(code__in=park).values_list("code", "pk"))
            unknown = sorted(set(park) - set(found))
            if unknown:
                raise CommandError(f"unknown park(s): {', '.join(unknown)}")
            ids = sorted(found.values())
        t0 = time.perf_counter()
        out = stored.recompute_all(ids, year or None, workers=max(1, workers))
        self.stdout.write(
            f"recomputed {out['park_years']} park-years in {len(out['years'])} year(s) "
            f"({', '.join(map(str, out['years'])) or '-'}) in {time.perf_counter() - t0:.1f} s"
        )
