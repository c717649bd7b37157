"""Eco-criteria pages: scorecards with drill-down, benchmarking, certification checklists,
declarations, context targets, annual reports with their review workflow and exports.

Who sees what: ``eiphub.reports.access`` (built on ``eiphub.accounts.scoping``).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eiphub.accounts.models import Role
from eiphub.accounts.scoping import enterprises_writable_by, parks_for, role_of
from eiphub.core.spreadsheet import csv_value, xlsx_row
from eiphub.indicators.engine import EngineError, check_input
from eiphub.indicators.packs import get_pack
from eiphub.registry.models import Enterprise, Park

from . import documents, evidence, services, workflow
from .access import reports_for, scorecard_enterprises, scorecard_parks
from .forms import (
    DeclarationsForm,
    DocumentForm,
    EvidenceForm,
    ReportCreateForm,
    ReportValuesForm,
    ReviewForm,
    TargetForm,
)
from .models import AnnualReport, Comparison, ContextTarget, Declaration, ReportKind
from .workflow import WorkflowError


def _lang():
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def default_year() -> int:
    return date.today().year - 1


def _park(user, code) -> Park:
    return get_object_or_404(
        scorecard_parks(user).select_related("province", "developer"), code=code
    )


def _enterprise(user, pk) -> Enterprise:
    return get_object_or_404(scorecard_enterprises(user).select_related("park"), pk=pk)


def _park_pack(pack_id):
    try:
        pack = get_pack(pack_id)
    except KeyError:
        raise Http404(_("No such criteria pack."))
    if pack.scope not in services.PARK_SCOPES:
        raise Http404(_("This pack does not evaluate parks."))
    return pack


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise Http404(_("Invalid year."))
    if not 1990 <= year <= 2100:
        raise Http404(_("Invalid year."))
    return year


def _years():
    y = default_year()
    return list(range(y + 1, y - 6, -1))


@login_required
def scorecards(request):
    """Pick a park, a pack and a year (redirects to the scorecard)."""
    parks = scorecard_parks(request.user).select_related("province").order_by("code")
    code, pack_id, year = (request.GET.get(k) for k in ("park", "pack", "year"))
    if code and pack_id and year:
        park = _park(request.user, code)
        return redirect("reports:park_scorecard", park.code, _park_pack(pack_id).id, _year(year))
    ents = scorecard_enterprises(request.user).select_related("park")
    return render(
        request,
        "reports/index.html",
        {
            "parks": parks,
            "packs": services.park_packs(),
            "years": _years(),
            "year": default_year(),
            "default_pack": services.DEFAULT_PARK_PACK,
            "own_enterprises": ents if role_of(request.user) == Role.ENTERPRISE else [],
            "is_board": role_of(request.user) == Role.BOARD,
        },
    )


def pack_warnings(card, pack) -> list[str]:
    """The engine's pack warnings (English, from the framework-free core) in the user's language."""
    out = []
    for w in card.warnings:
        if w.endswith("still to be verified against the source"):
            out.append(
                _("Some thresholds of this pack are still to be verified against the legal text.")
            )
        elif "repealed on" in w:
            out.append(_("This pack has been repealed; historical reference only."))
        elif "not in force on" in w:
            out.append(_("This pack is not in force on the evaluated date."))
        else:
            out.append(w)
    return out


@login_required
def park_scorecard(request, code, pack_id, year):
    park = _park(request.user, code)
    pack = _park_pack(pack_id)
    year = _year(year)
    card, snap = services.park_scorecard(park, pack.id, year)
    lang = _lang()
    rows = services.scorecard_rows(card, snap, pack, lang)
    for i, row in enumerate(rows):
        if row["drill"]["trend"]:
            row["trend_id"] = f"trend-{i}"
    return render(
        request,
        "reports/park_scorecard.html",
        {
            "park": park,
            "pack": pack,
            "packs": services.park_packs(),
            "year": year,
            "years": _years(),
            "card": card,
            "warnings": pack_warnings(card, pack),
            "rows": rows,
            "context": services.context_rows(card, snap, lang),
            "n_enterprises": len(snap.enterprises),
            "declarations_url": reverse("reports:park_declarations", args=[park.code, year]),
            "is_board": workflow.is_reviewer(request.user, park),
        },
    )


@login_required
def enterprise_scorecard(request, pk, year):
    ent = _enterprise(request.user, pk)
    year = _year(year)
    pack = get_pack(services.DEFAULT_ENTERPRISE_PACK)
    card, snap = services.enterprise_scorecard(ent, year)
    rows = services.scorecard_rows(card, snap, pack, _lang())
    for i, row in enumerate(rows):
        if row["drill"]["trend"]:
            row["trend_id"] = f"trend-{i}"
    return render(
        request,
        "reports/enterprise_scorecard.html",
        {
            "ent": ent,
            "pack": pack,
            "year": year,
            "years": _years(),
            "card": card,
            "warnings": pack_warnings(card, pack),
            "rows": rows,
            "declarations_url": reverse("reports:enterprise_declarations", args=[ent.pk, year]),
        },
    )


# ------------------------------------------------------------------ benchmarking


@login_required
def benchmark(request):
    """All parks in scope against one pack (province for a board, national for the ministry)."""
    pack_id = request.GET.get("pack") or services.DEFAULT_PARK_PACK
    pack = _park_pack(pack_id)
    year = _year(request.GET.get("year") or default_year())
    parks = scorecard_parks(request.user)
    province = request.GET.get("province") or ""
    verdict = request.GET.get("verdict") or ""
    q = (request.GET.get("q") or "").strip()
    provinces = sorted(set(parks.values_list("province__code", "province__name")))
    if province:
        parks = parks.filter(province__code=province)
    if q:
        parks = parks.filter(Q(name_vi__icontains=q) | Q(code__icontains=q))
    fmt = request.GET.get("format")
    if verdict or fmt in ("csv", "xlsx"):  # every park's verdict is needed
        criteria, rows, fresh = services.benchmark(parks.order_by("code"), pack.id, year)
        if verdict:
            rows = [r for r in rows if r["verdict"] == verdict]
        if fmt in ("csv", "xlsx"):
            return _benchmark_export(fmt, pack, year, criteria, rows)
        # A national table is paged (the exports hold every park).
        page = Paginator(rows, BENCHMARK_PAGE).get_page(request.GET.get("page"))
    else:  # page the parks first: only the shown page's stored scorecards are read (issue 9)
        page = Paginator(parks.order_by("code"), BENCHMARK_PAGE).get_page(request.GET.get("page"))
        shown = parks.filter(pk__in=[p.pk for p in page.object_list]).order_by("code")
        criteria, rows, fresh = services.benchmark(shown, pack.id, year)
        page.object_list = rows
    for r in page.object_list:
        r["url"] = reverse("reports:park_scorecard", args=[r["park"].code, pack.id, year])
    return render(
        request,
        "reports/benchmark.html",
        {
            "pack": pack,
            "packs": services.park_packs(),
            "year": year,
            "years": _years(),
            "criteria": criteria,
            "rows": page.object_list,
            "page": page,
            "provinces": provinces,
            "filters": {"province": province, "verdict": verdict, "q": q},
            "verdicts": ["meets", "not_met", "incomplete"],
            "query": request.GET.urlencode(),
            "fresh": fresh,
        },
    )


BENCHMARK_PAGE = 50


def _benchmark_table(criteria, rows):
    head = ["park", "name", "province", "verdict"]
    for c in criteria:
        head += [f"{c.code} value", f"{c.code} status"]
    body = []
    for r in rows:
        line = [r["park"].code, r["park"].name_vi, r["park"].province.name, r["verdict"]]
        for cell in r["cells"]:
            line += [cell.value, cell.status]
        body.append(line)
    return head, body


def _benchmark_export(fmt, pack, year, criteria, rows):
    head, body = _benchmark_table(criteria, rows)
    name = f"benchmark_{pack.id}_{year}.{fmt}"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow([csv_value(v) for v in head])
        writer.writerows([csv_value(v) for v in line] for line in body)
        resp = HttpResponse(buf.getvalue().encode("utf-8-sig"), content_type="text/csv")
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "benchmark"
        ws.append(xlsx_row(ws, head))
        for line in body:
            ws.append(xlsx_row(ws, line))
        out = io.BytesIO()
        wb.save(out)
        resp = HttpResponse(out.getvalue(), content_type=documents.MIME["xlsx"])
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


# ------------------------------------------------------------------ checklists


@login_required
def checklist_park(request, code, year):
    park = _park(request.user, code)
    year = _year(year)
    data = services.eip_checklist(park, year, _lang())
    return render(
        request, "reports/checklist.html", {"park": park, "year": year, "art": 41, **data}
    )


@login_required
def checklist_enterprise(request, pk, year):
    ent = _enterprise(request.user, pk)
    year = _year(year)
    data = services.enterprise_checklist(ent, year, _lang())
    return render(
        request,
        "reports/checklist.html",
        {"ent": ent, "park": ent.park, "year": year, "art": 42, **data},
    )


# ------------------------------------------------------------------ declarations


def _stamp(decl) -> str:
    """The version token of one declaration as the page read it (issue 18)."""
    return decl.updated_at.isoformat() if decl is not None else ""


def _declarations_page(request, subject: dict, year, specs, can_edit, back):
    decls = services.declarations_of(Q(**subject), year)
    typed, conflicts, status = {}, [], 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("You may not declare facts for this subject."))
        form = DeclarationsForm(request.POST, specs=specs)
        form.is_valid()  # errors are per row, raised in the rows' order below
        try:
            with transaction.atomic():
                current = {
                    d.code: d
                    for d in Declaration.objects.select_for_update().filter(**subject, year=year)
                }
                for code, unit, *_rest in specs:
                    if not form.posted(code):
                        continue
                    evidence, note, read = form.row(code)
                    typed[code] = (form.raw(code), evidence, note)
                    if unit != "document" and form.error(code):
                        raise WorkflowError(form.error(code))
                    value = form.declared(code)
                    now = current.get(code)
                    unchanged = now is not None and (now.value, now.evidence, now.note) == (
                        value,
                        evidence,
                        note,
                    )
                    if unchanged:
                        continue
                    if read is not None and read != _stamp(now):
                        conflicts.append(code)  # changed by someone else since the page read it
                        continue
                    Declaration.objects.update_or_create(
                        **subject,
                        year=year,
                        code=code,
                        defaults={
                            "value": value,
                            "evidence": evidence,
                            "note": note,
                            "updated_by": request.user,
                        },
                    )
                if conflicts:
                    raise WorkflowError(
                        _(
                            "Someone else changed %(codes)s meanwhile; nothing was saved. Your "
                            "values are kept below: check them and save again."
                        )
                        % {"codes": ", ".join(conflicts)},
                        "stale",
                    )
        except WorkflowError as exc:
            messages.error(request, str(exc))
            status = 409 if exc.code == "stale" else 400
            decls = services.declarations_of(Q(**subject), year)
        else:
            messages.success(request, _("Declarations saved."))
            return redirect(request.path)
    items = [
        {
            "code": code,
            "unit": unit,
            "name": vi if _lang() == "vi" else en,
            "name_vi": vi,
            "source": source,
            "decl": decls.get(code),
            "stamp": _stamp(decls.get(code)),
            "typed": typed.get(code) if status != 200 else None,
            "conflict": code in conflicts,
        }
        for code, unit, vi, en, source in specs
    ]
    return render(
        request,
        "reports/declarations.html",
        {"items": items, "year": year, "can_edit": can_edit, "back": back, "years": _years()},
        status=status,
    )


@login_required
def park_declarations(request, code, year):
    park = _park(request.user, code)
    year = _year(year)
    can_edit = workflow.is_owner(request.user, park=park)
    back = {"park": park, "url": reverse("reports:checklist_park", args=[park.code, year])}
    return _declarations_page(
        request, {"park": park}, year, services.declared_codes_for_park(), can_edit, back
    )


@login_required
def enterprise_declarations(request, pk, year):
    ent = _enterprise(request.user, pk)
    year = _year(year)
    can_edit = workflow.is_owner(request.user, enterprise=ent) or workflow.is_owner(
        request.user, park=ent.park
    )
    back = {"ent": ent, "url": reverse("reports:checklist_enterprise", args=[ent.pk, year])}
    return _declarations_page(
        request, {"enterprise": ent}, year, services.declared_codes_for_enterprise(), can_edit, back
    )


# ------------------------------------------------------------------ context targets


@login_required
def targets(request, code):
    """The board's park-specific targets (by sector mix or region), beside the legal ones."""
    park = _park(request.user, code)
    can_edit = workflow.is_reviewer(request.user, park)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Only the management board of the province sets targets."))
        form = TargetForm(request.POST)
        form.is_valid()  # refusals are phrased in the order below
        data = form.cleaned_data
        if data.get("delete"):
            ContextTarget.objects.filter(park=park, pk=data["delete"]).delete()
            messages.success(request, _("Target removed."))
            return redirect(request.path)
        try:
            pack = _park_pack(data.get("pack_id"))
            crit = pack.criterion(data.get("code", ""))
            if crit is None or crit.unit == "yes/no":
                raise WorkflowError(_("Choose a numeric criterion of the pack."))
            if form.errors.get("threshold"):  # not a number, or ambiguous ("1,234" in vi)
                raise WorkflowError(form.errors["threshold"][0])
            try:
                threshold = check_input(crit, data.get("threshold"))  # the criterion's range
            except EngineError as exc:
                raise WorkflowError(workflow.input_error_text(exc, crit)) from exc
            comparison = data.get("comparison")
            comparison = ">=" if comparison is None else comparison
            if comparison not in Comparison.values:
                raise WorkflowError(_("Invalid comparison."))
            rationale = data.get("rationale", "")
            if not rationale:
                raise WorkflowError(_("Give the reason for this target (sector mix, region)."))
            ContextTarget.objects.update_or_create(
                park=park,
                pack_id=pack.id,
                code=crit.code,
                comparison=comparison,
                defaults={
                    "threshold": threshold,
                    "rationale": rationale,
                    "created_by": request.user,
                },
            )
        except (WorkflowError, EngineError, Http404) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Target saved."))
            return redirect(request.path)
    numeric = [(p, [c for c in p.criteria if c.unit != "yes/no"]) for p in services.park_packs()]
    return render(
        request,
        "reports/targets.html",
        {
            "park": park,
            "targets": ContextTarget.objects.filter(park=park).select_related("created_by"),
            "can_edit": can_edit,
            "numeric": [(p, cs) for p, cs in numeric if cs],
            "comparisons": Comparison.choices,
            "year": default_year(),
        },
    )


# ------------------------------------------------------------------ annual reports


@login_required
def report_list(request):
    reports = reports_for(request.user).select_related("park", "enterprise")
    kind, status = request.GET.get("kind") or "", request.GET.get("status") or ""
    if kind:
        reports = reports.filter(kind=kind)
    if status:
        reports = reports.filter(status=status)
    role = role_of(request.user)
    if role == Role.DEVELOPER:
        fileable_parks = parks_for(request.user)
    else:
        fileable_parks = Park.objects.none()
    fileable_ents = enterprises_writable_by(request.user) if role == Role.ENTERPRISE else []
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": reports.order_by("-year", "park__code", "kind"),
            "kinds": ReportKind.choices,
            "park_kinds": [k for k in ReportKind.choices if k[0] in workflow.PARK_KINDS],
            "fileable_parks": fileable_parks,
            "fileable_ents": fileable_ents,
            "years": _years(),
            "year": default_year(),
            "filters": {"kind": kind, "status": status},
            "statuses": AnnualReport._meta.get_field("status").choices,
        },
    )


@login_required
@require_POST
def report_create(request):
    form = ReportCreateForm(request.POST)
    form.is_valid()  # every field is optional text; the checks below refuse
    data = form.cleaned_data
    kind = data["kind"]
    year = _year(data["year"])
    try:
        if kind == ReportKind.ECO_ENTERPRISE:
            ent = get_object_or_404(
                enterprises_writable_by(request.user), pk=data["enterprise"] or 0
            )
            report = workflow.create_report(request.user, kind, year, enterprise=ent)
        else:
            park = get_object_or_404(parks_for(request.user), code=data["park"])
            report = workflow.create_report(request.user, kind, year, park=park)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("reports:report_list")
    messages.success(request, _("Report created from the computed values."))
    return redirect("reports:report_detail", report.pk)


def _report(request, pk) -> AnnualReport:
    return get_object_or_404(
        reports_for(request.user).select_related("park__province", "park__developer", "enterprise"),
        pk=pk,
    )


@login_required
def report_detail(request, pk):
    return _report_page(request, _report(request, pk))


def _report_page(request, report, typed=None, row_errors=None, status=200):
    """The report page; after a refused save, ``typed`` ({code: (value, justification)}
    as posted) replaces the stored figures in the inputs and ``row_errors`` marks the rows."""
    from .jobs import DOCUMENT_FORMATS

    rows = services.report_rows(report)
    for r in rows:
        r["typed"] = r["typed_justification"] = None
        if typed and r["code"] in typed:
            r["typed"], r["typed_justification"] = typed[r["code"]]
        r["error"] = (row_errors or {}).get(r["code"])
    actions = workflow.allowed_actions(request.user, report)
    revisions = list(report.revisions.select_related("submitted_by", "approved_by"))
    current = revisions[-1] if revisions else None
    diffs = workflow.differences(report) if current else []
    names = {r["code"]: r for r in rows}
    for d in diffs:
        d["row"] = names.get(d["code"])
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "rows": rows,
            "actions": actions,
            "filing_actions": [a for a in actions if a in FILING_ACTIONS],
            "other_actions": [a for a in actions if a not in (*FILING_ACTIONS, "accept", "return")],
            "reviewing": "return" in actions,
            "can_edit": workflow.can_edit(request.user, report),
            "audit": report.audit.select_related("user"),
            "env": report.kind == ReportKind.ENV_SOCIAL,
            "c": report.computed,
            "documents": _document_rows(report, DOCUMENT_FORMATS),
            "revision": current,
            "diffs": diffs,
            "evidence_limit": evidence.max_bytes() / 1024 / 1024,
            "evidence_types": ", ".join(label for _ct, label in evidence.TYPES.values()),
        },
        status=status,
    )


FILING_ACTIONS = ("submit", "submit_for_approval", "approve")


def _document_rows(report, formats):
    """Generated documents with their freshness (one row per format and language)."""
    from .models import ReportDocument

    if report.kind == ReportKind.ENV_SOCIAL:
        formats = ("pdf",)
    have = {(d.fmt, d.lang): d for d in ReportDocument.objects.filter(report=report)}
    current = documents.stamp(report)
    out = []
    for fmt in formats:
        for lang in ("vi", "en"):
            doc = have.get((fmt, lang))
            out.append(
                {
                    "fmt": fmt,
                    "lang": lang,
                    "doc": doc,
                    "fresh": doc is not None and doc.source_stamp == current,
                }
            )
    return out


@login_required
@require_POST
def report_values(request, pk):
    """Save edited values; a value different from the computed one needs its justification."""
    report = _report(request, pk)
    rows = {r["code"]: r for r in services.report_rows(report)}
    errors = 0
    typed, row_errors, changed = {}, {}, set()
    form = ReportValuesForm(request.POST, rows=rows)
    form.is_valid()  # errors are per row, reported with the rows below
    try:  # the version this page read (issue 18): a stale save writes nothing
        workflow.lock_for_edit(report, form.cleaned_data["version"])
    except WorkflowError as exc:
        for code in rows:
            if form.posted(code):
                typed[code] = (form.raw(code), form.justification(code))
        messages.error(request, str(exc))
        return _report_page(request, _report(request, pk), typed, {}, status=409)
    savepoint = transaction.savepoint()
    for code, row in rows.items():
        if not form.posted(code):
            continue
        justification = form.justification(code)
        typed[code] = (form.raw(code), justification)
        current = row["value"]
        if form.error(code):  # typed in the user's language: one parser for the platform
            errors += 1
            row_errors[code] = form.error(code)
            messages.error(request, form.error(code))
            continue
        new = form.new_value(code)
        same = _same(new, current, row["unit"])
        if same and justification.strip() == (row["justification"] or ""):
            continue
        try:
            workflow.set_value(request.user, report, code, new, justification)
            changed.add(code)
        except WorkflowError as exc:
            errors += 1
            row_errors[code] = str(exc)
            messages.error(request, str(exc))
    # Evidence chosen in the rows goes with the same save (one form: nothing typed is lost).
    attached = []
    for code in rows:
        upload = request.FILES.get(f"evidence-{code}")
        if upload is None:
            continue
        try:
            attached.append(evidence.attach(request.user, report, code, upload))
        except WorkflowError as exc:
            errors += 1
            row_errors[code] = str(exc)
            messages.error(request, str(exc))
    if errors:
        # All or nothing: the page comes back with every typed value and justification.
        transaction.savepoint_rollback(savepoint)
        for ev in attached:  # files stored before the rollback
            ev.file.storage.delete(ev.file.name)
        messages.error(request, _("Nothing was saved: correct the marked values and save again."))
        if attached or any(f.startswith("evidence-") for f in request.FILES):
            messages.error(request, _("Choose the evidence files again before saving."))
        return _report_page(request, _report(request, pk), typed, row_errors, status=400)
    transaction.savepoint_commit(savepoint)
    report = _report(request, pk)
    for row in services.report_rows(report):
        if row["out_of_range"] and row["code"] in changed:
            messages.warning(
                request,
                _(
                    "%(code)s: %(value)s is outside the accepted range %(min)s–%(max)s; it is "
                    "reported with your justification and assessed as not met."
                )
                % {
                    "code": row["code"],
                    "value": workflow._num(row["value"]),
                    "min": workflow._num(row["range"][0]),
                    "max": workflow._num(row["range"][1]),
                },
            )
    messages.success(request, _("Values saved."))
    if form.cleaned_data["intent"] == "submit":
        # Submit = save what is typed, then show what will be filed for confirmation.
        return redirect("reports:report_confirm", report.pk)
    return redirect("reports:report_detail", report.pk)


def _same(new, current, unit) -> bool:
    if new is None or current is None:
        return new is None and current is None
    if unit == "yes/no":
        return bool(new) == bool(current)
    try:
        return float(str(new).replace(",", ".")) == float(current)
    except ValueError:
        return False


@login_required
@require_POST
def report_transition(request, pk):
    report = _report(request, pk)
    codes = [r["code"] for r in services.report_rows(report)]
    form = ReviewForm(request.POST, codes=codes)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    data = form.cleaned_data
    action = data["action"]
    try:
        if action == "recompute":
            workflow.recompute(request.user, report)
            messages.success(request, _("Computed values refreshed from current data."))
        else:
            workflow.transition(
                request.user,
                report,
                action,
                comment,
                indicator_comments=form.indicator_comments() if action == "return" else None,
                seen_stamp=data["stamp"] if action in FILING_ACTIONS else None,
                read_version=data["version"],
            )
            messages.success(request, _("Report status changed."))
    except WorkflowError as exc:
        messages.error(request, str(exc))
        if exc.code == "stale":
            return redirect("reports:report_confirm", report.pk)
    return redirect("reports:report_detail", report.pk)


@login_required
def report_confirm(request, pk):
    """What will be filed: every value with its assessment, justification and evidence,
    the differences to the last filed version; the button posts the page's stamp."""
    report = _report(request, pk)
    filing = [a for a in workflow.allowed_actions(request.user, report) if a in FILING_ACTIONS]
    if not filing:
        raise PermissionDenied(_("You may not submit this report now."))
    rows = services.report_rows(report)
    names = {r["code"]: r for r in rows}
    diffs = workflow.pending_differences(report)
    for d in diffs:
        d["row"] = names.get(d["code"])
    last = report.revisions.order_by("-number").first()
    return render(
        request,
        "reports/report_confirm.html",
        {
            "report": report,
            "rows": rows,
            "action": filing[0],
            "stamp": workflow.stamp(report),
            "diffs": diffs,
            "next_number": (last.number + 1) if last else 1,
            "last": last,
            "not_met": [r for r in rows if r["status"] == "not_met"],
        },
    )


@login_required
@require_POST
def report_evidence(request, pk):
    """Attach an evidence file to one indicator (owner, editable report)."""
    report = _report(request, pk)
    if not workflow.can_edit(request.user, report):
        raise PermissionDenied(_("Only the owner of the report may change its values."))
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            ev = evidence.attach(
                request.user, report, form.cleaned_data["code"], form.cleaned_data["file"]
            )
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Evidence %(name)s attached to %(code)s.") % {"name": ev.name, "code": ev.code},
            )
    return redirect(reverse("reports:report_detail", args=[report.pk]) + "#evidence")


@login_required
@require_POST
def report_evidence_delete(request, pk, eid):
    report = _report(request, pk)
    if not workflow.can_edit(request.user, report):
        raise PermissionDenied(_("Only the owner of the report may change its values."))
    try:
        evidence.remove(request.user, report, eid)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Evidence file removed."))
    return redirect(reverse("reports:report_detail", args=[report.pk]) + "#evidence")


@login_required
def report_evidence_file(request, pk, eid):
    """An evidence file, for those who may read the report (``reports_for`` scope)."""
    report = _report(request, pk)
    ev = get_object_or_404(report.evidence.all(), pk=eid)
    resp = FileResponse(ev.file.open("rb"), content_type=ev.content_type)
    resp["Content-Disposition"] = _attachment(ev.name)
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


def _attachment(name: str) -> str:
    from urllib.parse import quote

    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "") or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@login_required
@require_POST
def report_documents(request, pk):
    """Queue the generation of the report's DOCX/PDF (a background job)."""
    from .jobs import DOCUMENT_FORMATS, enqueue_document

    report = _report(request, pk)
    form = DocumentForm(request.POST)
    form.is_valid()  # checked against the report's formats below
    fmt, lang = form.cleaned_data["fmt"], form.cleaned_data["lang"]
    formats = ("pdf",) if report.kind == ReportKind.ENV_SOCIAL else DOCUMENT_FORMATS
    if fmt not in formats or lang not in ("vi", "en"):
        raise Http404(_("This report is not available in that format."))
    enqueue_document(report, fmt, lang, owner=request.user)
    messages.success(
        request, _("The document is being generated; this page shows when it is ready.")
    )
    return redirect(reverse("reports:report_detail", args=[report.pk]) + "#documents")


@login_required
def report_export(request, pk, fmt):
    """XLSX is built in the request; DOCX/PDF are the documents generated by the
    background job (queued here when none exists yet)."""
    from .jobs import DOCUMENT_FORMATS, enqueue_document
    from .models import ReportDocument

    report = _report(request, pk)
    lang = {"en": "en", "vi": "vi"}.get(request.GET.get("lang", ""), _lang())
    if fmt in DOCUMENT_FORMATS:
        if report.kind == ReportKind.ENV_SOCIAL and fmt != "pdf":
            raise Http404(_("This report is not available in that format."))
        doc = ReportDocument.objects.filter(report=report, fmt=fmt, lang=lang).first()
        if doc is None:
            enqueue_document(report, fmt, lang, owner=request.user)
            messages.info(
                request, _("The document is being generated; this page shows when it is ready.")
            )
            return redirect(reverse("reports:report_detail", args=[report.pk]) + "#documents")
        subject = report.enterprise.tax_code if report.enterprise_id else report.park.code
        resp = FileResponse(doc.file.open("rb"), content_type=documents.MIME[fmt])
        resp["Content-Disposition"] = (
            f'attachment; filename="{report.kind}_{subject}_{report.year}_{lang}.{fmt}"'
        )
        return resp
    try:
        content, mime, name = documents.export(report, fmt, lang)
    except (ValueError, KeyError):
        raise Http404(_("This report is not available in that format."))
    resp = HttpResponse(content, content_type=mime)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@login_required
def review_queue(request):
    """Reports awaiting the management board's review."""
    if role_of(request.user) != Role.BOARD:
        raise PermissionDenied(_("Only management boards review reports."))
    return render(
        request,
        "reports/review_queue.html",
        {"reports": services.reports_awaiting_review(request.user).order_by("submitted_at")},
    )
