"""`eiphub match`: batch symbiosis matching of a listings CSV (no database).

    eiphub match --listings FILE.csv --out MATCHES.csv [--format csv|json] [--max-distance KM]

Input columns: listing_id, enterprise, park, kind (offer|want), resource
(catalogue code or free text in Vietnamese or English), quantity, unit,
period (year|month|once), latitude, longitude; optional: hazardous,
temperature_c, pressure_bar, price_vnd_per_unit (negative = disposal cost),
available_from, available_to, licences, quality, industry.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from eiphub.symbiosis.matching import (
    ListingFileError,
    MatchParams,
    match,
    read_listings_csv,
    write_matches_csv,
    write_matches_json,
)


class Command(BaseCommand):
    help = _("Match offers and wants of a listings CSV file and write the candidate pairs.")

    def add_arguments(self, parser):
        parser.add_argument("--listings", required=True, help=_("listings CSV file"))
        parser.add_argument("--out", required=True, help=_("output file for the matches"))
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument(
            "--max-distance",
            type=float,
            default=MatchParams.max_distance_km,
            help=_("maximum road distance in km"),
        )
        parser.add_argument(
            "--per-offer",
            type=int,
            default=MatchParams.max_matches_per_offer,
            help=_("matches kept per offer (0 = all)"),
        )
        parser.add_argument("--min-score", type=float, default=0.0)

    def handle(self, *args, listings, out, format, max_distance, per_offer, min_score, **kw):
        try:
            items, warnings = read_listings_csv(listings)
        except ListingFileError as exc:
            raise CommandError(str(exc), returncode=2)
        for w in warnings:
            self.stderr.write(_("warning: %(message)s") % {"message": w})
        if max_distance <= 0:
            raise CommandError(_("--max-distance must be positive"), returncode=2)
        params = MatchParams(
            max_distance_km=max_distance,
            max_matches_per_offer=per_offer or None,
            min_score=min_score,
        )
        matches = match(items, params=params)
        if format == "json":
            write_matches_json(matches, out, warnings)
        else:
            write_matches_csv(matches, out)
        offers = sum(x.kind == "offer" for x in items)
        matched = len({m.offer_id for m in matches})
        self.stdout.write(
            _(
                "%(listings)d listings (%(offers)d offers, %(wants)d wants): %(matches)d matches "
                "for %(matched)d offers; benefit %(benefit).0f million VND/year, "
                "%(co2).0f tCO2e/year avoided (top-ranked pair per offer); written to %(out)s"
            )
            % {
                "listings": len(items),
                "offers": offers,
                "wants": len(items) - offers,
                "matches": len(matches),
                "matched": matched,
                "benefit": sum(m.benefit_vnd_per_year for m in matches if m.rank == 1) / 1e6,
                "co2": sum(m.co2e_t_per_year for m in matches if m.rank == 1),
                "out": out,
            }
        )
