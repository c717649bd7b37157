"""`eiphub eval-matching`: run the evaluation suite of real symbiosis networks.

    eiphub eval-matching [--set NAME ...] [--format text|json] [--misses]

Each set (eiphub/symbiosis/data/eval/) is read and matched through the same
path as ``eiphub match`` (listings file reader + ``match`` with default
parameters).  Prints recall@1, recall@3, MRR and decoys in the top 3 per set
and pooled over all known exchanges.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from eiphub.symbiosis.evaluation import EvalError, run_suite


class Command(BaseCommand):
    help = "Evaluate symbiosis matching on real networks from the literature."

    def add_arguments(self, parser):
        parser.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument(
            "--misses", action="store_true", help="list known exchanges not in the top 3"
        )

    def handle(self, *args, sets, format, misses, **options):
        try:
            results, total = run_suite(sets or None)
        except EvalError as exc:
            raise CommandError(str(exc)) from exc
        if format == "json":
            out = {
                "sets": [r.as_dict() if misses else _brief(r) for r in results],
                "overall": _brief(total),
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
            return
        self.stdout.write(
            f"{'set':<14}{'pairs':>6}{'recall@1':>10}{'recall@3':>10}{'MRR':>7}{'decoys@3':>10}"
        )
        for r in [*results, total]:
            self.stdout.write(
                f"{r.name:<14}{r.pairs:>6}{r.recall_at_1:>10.3f}{r.recall_at_3:>10.3f}"
                f"{r.mrr:>7.3f}{r.decoys_in_top3:>5}/{r.decoys:<4}"
            )
        if misses:
            for r in results:
                for m in r.misses:
                    self.stdout.write(
                        f"{r.name}: {m['offer']} {m['offer_text']!r} [{m['offer_resource']}] -> "
                        f"{m['want']} {m['want_text']!r} [{m['want_resource']}]: "
                        f"rank {m['rank'] or '-'}, proposed {', '.join(m['proposed']) or '-'}"
                    )


def _brief(r) -> dict:
    d = r.as_dict()
    d.pop("misses")
    return d
