"""`eiphub match`: batch symbiosis matching of a listings CSV (no database).

    eiphub match --listings FILE.csv --out MATCHES.csv [--format csv|json]
                 [--max-distance KM] [--strict] [--lang vi|en]

Input columns: listing_id, enterprise, park, kind (offer|want), resource
(catalogue code or free text in Vietnamese or English), quantity, unit,
period (year|month|once), latitude, longitude; optional: hazardous,
temperature_c, pressure_bar, price_vnd_per_unit (negative = disposal cost),
available_from, available_to, licences, quality, industry, notes.

A bad row never stops the run: it is skipped and reported (file, row, column,
reason in the user's language) on stderr and in ``MATCHES.csv.errors.csv``,
with the rows kept but uncertain (unknown resource, unit disagreeing with the
guessed resource, no coordinates).  ``--strict``: the first bad row stops the
run and nothing is written.

Exit codes: 0 every row matched (warnings allowed); 3 done, some rows skipped
(see the errors file); 2 failed (unreadable file, missing columns, bad option,
or a bad row with ``--strict``).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from eiphub.symbiosis.matching import (
    ListingFileError,
    MatchParams,
    match,
    read_listings,
    write_issues_csv,
    write_matches_csv,
    write_matches_json,
)

EXIT_CLEAN, EXIT_FAILED, EXIT_SKIPPED = 0, 2, 3

# code -> template (the parameters of RowIssue / ListingFileError)
ISSUE_TEXTS = {
    "missing_file": _l("file not found"),
    "bad_encoding": _l("the file is not UTF-8 text"),
    "empty_file": _l("the file has no listings"),
    "missing_column": _l("missing required column(s): %(columns)s"),
    "missing_value": _l("a value is required"),
    "bad_kind": _l("kind must be “offer” or “want”, got “%(value)s”"),
    "bad_number": _l("not a number: “%(value)s”"),
    "not_positive": _l("the quantity must be positive, got “%(value)s”"),
    "bad_unit": _l("unknown unit “%(value)s”"),
    "bad_period": _l("period must be year, month or once, got “%(value)s”"),
    "bad_date": _l("not a date (use YYYY-MM-DD): “%(value)s”"),
    "date_order": _l("the end of availability is before its start"),
    "bad_coordinate": _l("coordinate out of range: %(value)s"),
    "half_coordinate": _l("give both latitude and longitude, or neither"),
    "bad_flag": _l("hazardous must be yes or no, got “%(value)s”"),
    "bad_quality": _l("cannot read the quality “%(value)s”; write e.g. “moisture_pct<=15”"),
    "duplicate_id": _l("listing_id “%(value)s” already used on row %(first_row)s"),
    "unit_mismatch": _l(
        "unit “%(unit)s” cannot measure %(resource)s (measured in %(expected)s); "
        "matched only with listings describing it the same way"
    ),
    "group_resource": _l(
        "“%(text)s” names a whole group (%(resource)s); "
        "matched only with listings describing it the same way"
    ),
    "unresolved_resource": _l(
        "resource “%(text)s” not found in the catalogue; "
        "matched only with listings describing it the same way"
    ),
    "no_coordinates": _l("no coordinates; matched only inside park “%(park)s”"),
    "ignored_column": _l("column “%(column)s” ignored"),
}


def phrase(issue) -> str:
    """An issue's reason in the active language (English text if the code is unknown)."""
    template = ISSUE_TEXTS.get(issue.code)
    if template is None:
        return issue.message
    try:
        return str(template) % issue.params if "%(" in str(template) else str(template)
    except (KeyError, TypeError, ValueError):
        return issue.message


def where(issue) -> str:
    parts = [issue.file]
    if issue.row is not None:
        parts.append(_("row %(row)s") % {"row": issue.row})
    if issue.column:
        parts.append(_("column “%(column)s”") % {"column": issue.column})
    return ", ".join(p for p in parts if p)


class Command(BaseCommand):
    help = _l("Match offers and wants of a listings CSV file and write the candidate pairs.")

    def add_arguments(self, parser):
        parser.add_argument("--listings", required=True, help=_l("listings CSV file"))
        parser.add_argument("--out", required=True, help=_l("output file for the matches"))
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument(
            "--max-distance",
            type=float,
            default=None,
            help=_l("maximum road distance in km (default: per resource kind)"),
        )
        parser.add_argument(
            "--per-offer",
            type=int,
            default=MatchParams.max_matches_per_offer,
            help=_l("matches kept per offer (0 = all)"),
        )
        parser.add_argument("--min-score", type=float, default=0.0)
        parser.add_argument(
            "--strict", action="store_true", help=_l("stop at the first bad row (all or nothing)")
        )
        parser.add_argument("--lang", choices=["vi", "en"], default=None)

    def handle(self, *args, lang=None, **opts):
        with translation.override(lang or translation.get_language() or "vi"):
            code = self._run(**opts)
        if code:
            raise SystemExit(code)

    def _fail(self, exc):
        issue = exc
        raise CommandError(f"{where(issue)}: {phrase(issue)}" if issue.file else phrase(issue),
                           returncode=EXIT_FAILED)  # fmt: skip

    def _run(self, *, listings, out, format, max_distance, per_offer, min_score, strict, **kw):
        if max_distance is not None and max_distance <= 0:
            raise CommandError(_("--max-distance must be positive"), returncode=EXIT_FAILED)
        try:
            got = read_listings(listings, strict=strict)
        except ListingFileError as exc:
            self._fail(exc)
        for x in got.issues:
            label = _("error") if x.severity == "error" else _("warning")
            self.stderr.write(f"{label}: {where(x)}: {phrase(x)}")
        errors_path = f"{out}.errors.csv"
        if got.issues:
            write_issues_csv(got.issues, errors_path, phrase)
        params = MatchParams(
            max_distance_km=max_distance,
            max_matches_per_offer=per_offer or None,
            min_score=min_score,
        )
        items = got.listings
        matches = match(items, params=params)
        if format == "json":
            write_matches_json(matches, out, [f"{where(x)}: {phrase(x)}" for x in got.issues])
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
        if got.issues:
            self.stdout.write(
                _(
                    "%(rows)d rows read: %(skipped)d skipped (errors), %(warned)d with warnings; "
                    "details in %(path)s"
                )
                % {
                    "rows": got.rows,
                    "skipped": got.skipped_rows,
                    "warned": len({x.row for x in got.warnings if x.row is not None}),
                    "path": errors_path,
                }
            )
        return EXIT_SKIPPED if got.errors else EXIT_CLEAN
