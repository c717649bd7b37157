"""`eiphub optimise`: choose the best set of exchanges for a listings CSV (no database).

    eiphub optimise --listings FILE.csv --out RESULT.json [--objective benefit|co2|weighted]
        [--carbon-price VND_PER_T] [--pareto N] [--sensitivity] [--fixed-cost VND]
        [--min-flow-fraction F] [--max-distance KM] [--time-limit S] [--mip-gap G]

Same listings format as `eiphub match`.  All candidate matches are passed to the
network MILP; the JSON result holds the inputs, solver status, gap, times, chosen
links with flows, totals, the greedy baseline and optionally a Pareto front.
"""

import json
import math

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from eiphub.symbiosis.matching import ListingFileError, MatchParams, match, read_listings_csv
from eiphub.symbiosis.network import (
    DEFAULT_MATCH_PARAMS,
    NetworkError,
    greedy_baseline,
    pareto_front,
    problem_from_matches,
    sensitivity,
    solve_network,
)


def _clean(value):
    """JSON-safe: no NaN/inf."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


class Command(BaseCommand):
    help = _("Optimise the symbiosis exchange network of a listings CSV file (MILP).")

    def add_arguments(self, parser):
        parser.add_argument("--listings", required=True, help=_("listings CSV file"))
        parser.add_argument("--out", required=True, help=_("output JSON file"))
        parser.add_argument(
            "--objective", choices=["benefit", "co2", "weighted"], default="benefit"
        )
        parser.add_argument(
            "--carbon-price",
            type=float,
            default=0.0,
            help=_("VND per tCO2e for the weighted objective"),
        )
        parser.add_argument(
            "--pareto",
            type=int,
            default=0,
            help=_("number of points of a benefit/CO2 Pareto front"),
        )
        parser.add_argument(
            "--sensitivity",
            action="store_true",
            help=_("re-solve with prices, distances and fixed costs scaled"),
        )
        parser.add_argument(
            "--fixed-cost",
            type=float,
            default=DEFAULT_MATCH_PARAMS["fixed_cost_vnd_per_year"],
            help=_("fixed cost of an exchange, VND/year"),
        )
        parser.add_argument(
            "--min-flow-fraction",
            type=float,
            default=0.0,
            help=_("minimum economic flow as a fraction of the matched quantity"),
        )
        parser.add_argument("--max-distance", type=float, default=MatchParams.max_distance_km)
        parser.add_argument("--time-limit", type=float, default=60.0)
        parser.add_argument("--mip-gap", type=float, default=1e-4)

    def handle(self, *args, **o):
        if (
            (o["max_distance"] is not None and o["max_distance"] <= 0)
            or o["time_limit"] <= 0
            or not 0 <= o["mip_gap"] < 1
        ):
            raise CommandError(
                _("--max-distance and --time-limit must be positive, --mip-gap in [0, 1)"),
                returncode=2,
            )
        if not 0 <= o["min_flow_fraction"] <= 1 or o["fixed_cost"] < 0 or o["pareto"] < 0:
            raise CommandError(
                _("--min-flow-fraction must be in [0, 1]; --fixed-cost and --pareto >= 0"),
                returncode=2,
            )
        try:
            items, warnings = read_listings_csv(o["listings"])
        except (ListingFileError, OSError) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        for w in warnings:
            self.stderr.write(_("warning: %(message)s") % {"message": w})
        matches = match(
            items, params=MatchParams(max_distance_km=o["max_distance"], max_matches_per_offer=None)
        )
        params = {
            "fixed_cost_vnd_per_year": o["fixed_cost"],
            "min_flow_fraction": o["min_flow_fraction"],
        }
        try:
            problem = problem_from_matches(items, matches, params)
            weights = {"benefit": 1.0, "co2": o["carbon_price"]}
            res = solve_network(
                problem,
                o["objective"],
                weights=weights,
                mip_gap=o["mip_gap"],
                time_limit=o["time_limit"],
            )
            greedy = greedy_baseline(problem)
            pareto = (
                pareto_front(problem, o["pareto"], mip_gap=o["mip_gap"], time_limit=o["time_limit"])
                if o["pareto"]
                else None
            )
            sens = sensitivity(problem, time_limit=o["time_limit"]) if o["sensitivity"] else None
        except NetworkError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        by_id = {x.id: x for x in items}
        result = res.to_dict()
        for row in result["links"]:
            offer, want = by_id[row["supply"]], by_id[row["demand"]]
            row.update(
                offer_enterprise=offer.enterprise,
                want_enterprise=want.enterprise,
                offer_park=offer.park,
                want_park=want.park,
                resource=offer.resource,
                want_resource=want.resource,
            )
        out = {
            "inputs": {
                "listings_file": str(o["listings"]),
                "listings": len(items),
                "offers": sum(x.kind == "offer" for x in items),
                "wants": sum(x.kind == "want" for x in items),
                "candidate_links": len(problem.links),
                "objective": o["objective"],
                "carbon_price_vnd_per_t": o["carbon_price"],
                "params": params,
                "mip_gap": o["mip_gap"],
                "time_limit_s": o["time_limit"],
            },
            **result,
            "greedy": {
                "benefit_vnd_per_year": greedy.benefit_vnd_per_year,
                "co2e_t_per_year": greedy.co2e_t_per_year,
                "links": len(greedy.links),
            },
            "warnings": list(warnings),
        }
        if pareto is not None:
            out["pareto"] = pareto
        if sens is not None:
            out["sensitivity"] = sens
        with open(o["out"], "w", encoding="utf-8") as fh:
            json.dump(_clean(out), fh, ensure_ascii=False, indent=2)
        if not res.feasible:
            raise CommandError(
                _("no feasible network (%(status)s): %(message)s")
                % {"status": res.status, "message": res.message},
                returncode=1,
            )
        self.stdout.write(
            _(
                "%(status)s: %(links)d of %(candidates)d candidate links chosen; net benefit "
                "%(benefit).0f million VND/year (greedy %(greedy).0f), %(co2).0f tCO2e/year "
                "avoided; gap %(gap).4f%%, build %(build).3f s, solve %(solve).3f s; "
                "written to %(out)s"
            )
            % {
                "status": res.status,
                "links": len(res.links),
                "candidates": len(problem.links),
                "benefit": res.benefit_vnd_per_year / 1e6,
                "greedy": greedy.benefit_vnd_per_year / 1e6,
                "co2": res.co2e_t_per_year,
                "gap": 100 * res.gap if math.isfinite(res.gap) else float("nan"),
                "build": res.build_s,
                "solve": res.solve_s,
                "out": o["out"],
            }
        )
