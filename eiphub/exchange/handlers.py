"""The directory of licensed waste handlers (issue 17): import of the authority's
published lists (CSV/XLSX) and what a directory holder holds for the matcher.

The licence rules (codes, coverage, validity, what the matcher requires of the
receiver of a hazardous waste) live in :mod:`eiphub.core.licences`; this module
reads files, phrases errors (file, row and field in the user's language) and
stores :class:`HandlerLicence` rows.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eiphub.core import licences as lic
from eiphub.registry.models import Enterprise

from .models import HandlerLicence

FIELD_LABELS = {
    "licence_number": gettext_lazy("Licence number"),
    "holder_name": gettext_lazy("Holder"),
    "tax_code": gettext_lazy("Tax code"),
    "activities": gettext_lazy("Activities"),
    "waste_codes": gettext_lazy("Waste codes (CTNH)"),
    "capacity_t_per_year": gettext_lazy("Capacity (t/year)"),
    "valid_from": gettext_lazy("Valid from"),
    "valid_to": gettext_lazy("Valid until"),
    "authority": gettext_lazy("Issuing authority"),
    "province": gettext_lazy("Province"),
}
ACTIVITY_LABELS = {
    lic.COLLECT: gettext_lazy("collection"),
    lic.TRANSPORT: gettext_lazy("transport"),
    lic.TREAT: gettext_lazy("treatment"),
    lic.RECYCLE: gettext_lazy("recycling"),
}
STATE_LABELS = {
    lic.VALID: gettext_lazy("Valid"),
    lic.EXPIRED: gettext_lazy("Expired"),
    lic.NOT_YET: gettext_lazy("Not yet valid"),
}


@dataclass
class ImportIssue:
    file: str
    row: int
    field: str  # the directory field ('' for the file as a whole)
    message: str  # translated

    def __str__(self) -> str:
        if not self.row:
            return f"{self.file}: {self.message}"
        label = FIELD_LABELS.get(self.field, self.field)
        return _("%(file)s, row %(row)d, %(field)s: %(message)s") % {
            "file": self.file,
            "row": self.row,
            "field": label,
            "message": self.message,
        }


@dataclass
class HandlerImport:
    created: int = 0
    updated: int = 0
    expired: int = 0
    linked: int = 0
    issues: list[ImportIssue] = field(default_factory=list)


def _cell(values, index):
    if index is None or index >= len(values):
        return None
    v = values[index]
    return v.strip() if isinstance(v, str) else v


def import_handlers(fileobj, filename: str, today: dt.date | None = None) -> HandlerImport:
    """Read a published list of licensed handlers and upsert its licences (keyed by
    licence number and authority).  Rows with errors are skipped and reported; the
    others are stored (expired licences too, flagged as such)."""
    rows, issues = read_handler_file(fileobj, filename)
    out = write_handlers(rows, os.path.basename(filename or ""), today)
    out.issues = issues
    return out


def read_handler_file(fileobj, filename: str) -> tuple[list[dict], list[ImportIssue]]:
    """The valid rows of a published list (dicts of directory fields) and the issues of
    the others, each naming the file, row and field."""
    from eiphub.flows.importer import FileError, _Bad, parse_date, parse_decimal, read_sheets

    name = os.path.basename(filename or "")
    out = HandlerImport()
    try:
        sheets = read_sheets(fileobj, filename)
    except FileError as exc:
        out.issues.append(ImportIssue(name, 0, "", str(exc)))
        return [], out.issues
    rows = []
    for sheet in sheets:
        where = name if len(sheets) == 1 else f"{name} [{sheet.name}]"
        cols = {}
        for i, heading in enumerate(sheet.headers):
            f = lic.handler_field(heading)
            if f and f not in cols:
                cols[f] = i
        missing = [f for f in lic.REQUIRED_HANDLER_FIELDS if f not in cols]
        if missing:
            out.issues.append(
                ImportIssue(
                    where,
                    0,
                    "",
                    _("missing columns: %(cols)s")
                    % {"cols": ", ".join(str(FIELD_LABELS[f]) for f in missing)},
                )
            )
            continue
        for rownum, values in sheet.rows():
            if all(v in (None, "") for v in values):
                continue
            rec, bad = {}, False

            def problem(f, message, rownum=rownum, where=where):
                out.issues.append(ImportIssue(where, rownum, f, message))

            for f in ("licence_number", "holder_name", "authority", "province", "tax_code"):
                v = _cell(values, cols.get(f))
                rec[f] = "" if v is None else str(v).strip()
            for f in ("licence_number", "holder_name"):
                if not rec[f]:
                    problem(f, _("required"))
                    bad = True
            codes, unreadable = lic.parse_waste_codes(_cell(values, cols.get("waste_codes")))
            if unreadable:
                problem(
                    "waste_codes",
                    _("“%(value)s” is not a waste code; write NN NN NN (for example 12 06 05).")
                    % {"value": unreadable[0]},
                )
                bad = True
            elif not codes:
                problem("waste_codes", _("required"))
                bad = True
            rec["waste_codes"] = list(codes)
            rec["activities"] = list(lic.parse_activities(_cell(values, cols.get("activities"))))
            for f in ("valid_from", "valid_to"):
                v = _cell(values, cols.get(f))
                if v in (None, ""):
                    rec[f] = None
                    if f == "valid_to":
                        problem(f, _("required"))
                        bad = True
                    continue
                try:
                    rec[f] = parse_date(v)
                except _Bad as exc:
                    problem(f, str(exc))
                    bad = True
            v = _cell(values, cols.get("capacity_t_per_year"))
            rec["capacity_t_per_year"] = None
            if v not in (None, ""):
                try:
                    cap = float(parse_decimal(v))
                except _Bad as exc:
                    problem("capacity_t_per_year", str(exc))
                    bad = True
                else:
                    if not 0 <= cap <= 10**9:
                        problem("capacity_t_per_year", _("out of range"))
                        bad = True
                    rec["capacity_t_per_year"] = cap
            if (
                not bad
                and rec["valid_from"]
                and rec["valid_to"]
                and rec["valid_from"] > rec["valid_to"]
            ):
                problem("valid_to", _("ends before it starts"))
                bad = True
            if not bad:
                rows.append(rec)
    return rows, out.issues


def write_handlers(rows: list[dict], source: str, today: dt.date | None = None) -> HandlerImport:
    """Upsert parsed rows (dates as dates or ISO strings, as a job receives them)."""
    today = today or dt.date.today()
    out = HandlerImport()
    rows = [dict(r) for r in rows]
    for rec in rows:
        for f in ("valid_from", "valid_to"):
            if isinstance(rec.get(f), str):
                rec[f] = dt.date.fromisoformat(rec[f])
    by_tax = dict(
        Enterprise.objects.filter(
            tax_code__in={r["tax_code"] for r in rows if r["tax_code"]}
        ).values_list("tax_code", "pk")
    )
    with transaction.atomic():
        for rec in rows:
            rec["enterprise_id"] = by_tax.get(rec["tax_code"])
            rec["source"] = source[:255]
            _obj, created = HandlerLicence.objects.update_or_create(
                licence_number=rec.pop("licence_number")[:80],
                authority=rec.pop("authority")[:200],
                defaults=rec,
            )
            out.created += created
            out.updated += not created
            out.linked += rec["enterprise_id"] is not None
            out.expired += (
                lic.licence_state(rec["valid_from"], rec["valid_to"], today) == lic.EXPIRED
            )
    return out


def held_licences(enterprise_ids, wanted_codes=None, on: dt.date | None = None) -> dict:
    """enterprise id -> what its directory licences let it receive, for the matcher
    (:func:`eiphub.core.licences.holder_licences`).  ``wanted_codes``: the waste codes
    of the offers being matched (None: the codes the licences name)."""
    on = on or dt.date.today()
    rows: dict[int, list] = {}
    for eid, codes, acts, vf, vt in HandlerLicence.objects.filter(
        enterprise_id__in=list(enterprise_ids)
    ).values_list("enterprise_id", "waste_codes", "activities", "valid_from", "valid_to"):
        rows.setdefault(eid, []).append((tuple(codes or ()), tuple(acts or ()), vf, vt))
    out = {}
    for eid, licences in rows.items():
        codes = wanted_codes
        if codes is None:
            codes = {c for x in licences for c in x[0] if len(c) == 8}
        out[eid] = lic.holder_licences(licences, codes, on)
    return out


def waste_code_of(listing, resource, own: str | None = None) -> str:
    """The hazardous-waste code of a listing: its own CTNH code (the listing's evidence,
    ``own`` when already read) or else the catalogue resource's."""
    if own is None:
        own = evidence_codes([listing.pk]).get(listing.pk, "") if listing.pk else ""
    return lic.normalise_waste_code(own) or (resource.waste_code if resource is not None else "")


def evidence_codes(listing_ids) -> dict[int, str]:
    """listing id -> the CTNH code its evidence states (one query)."""
    from .models import ListingEvidence

    return dict(
        ListingEvidence.objects.filter(listing_id__in=list(listing_ids))
        .exclude(ctnh_code="")
        .values_list("listing_id", "ctnh_code")
    )
