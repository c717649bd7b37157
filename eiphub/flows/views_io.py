"""Import page (upload, preview, confirm, history, undo), template downloads and exports.

An upload is validated and staged as an ImportBatch awaiting confirmation; the page
shows what it would create, update, leave unchanged and (with "replace whole months")
delete, with the plausibility warnings.  Confirming runs ``flows.batches.apply_batch``
(synchronously until the job engine runs it as a task); every applied batch can be
undone from the history page.  No state lives in the web process.
"""

from __future__ import annotations

import os

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from eiphub.accounts.scoping import enterprises_writable_by, parks_for, parks_writable_by
from eiphub.core.catalogue import default_catalogue
from eiphub.registry.models import Enterprise

from . import io_schema as S
from .batches import UndoError, discard_batch, undo_batch
from .exporter import FORMATS, ExportError, export, export_filename, template
from .forms import ImportApplyForm
from .importer import import_file
from .models import ImportBatch

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))
    kind = forms.ChoiceField(
        label=gettext_lazy("Contents"),
        required=False,
        choices=[
            ("", gettext_lazy("Detect from the headers")),
            ("flows", gettext_lazy("Monthly flows")),
            ("enterprises", gettext_lazy("Enterprises")),
            ("parks", gettext_lazy("Parks")),
        ],
    )
    replace_months = forms.BooleanField(
        label=gettext_lazy("Replace whole months"),
        required=False,
        help_text=gettext_lazy(
            "Also delete the other records of every enterprise and month in the file. "
            "Without this, a row replaces only the record of the same enterprise, month, "
            "resource and direction."
        ),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if os.path.splitext(f.name)[1].lower() not in (".xlsx", ".xlsm", ".csv"):
            raise forms.ValidationError(_("Upload an Excel (.xlsx) or CSV (.csv) file."))
        return f


def _may_import(user) -> bool:
    return enterprises_writable_by(user).exists() or parks_writable_by(user).exists()


@login_required
def import_page(request):
    if not _may_import(request.user):
        raise PermissionDenied(_("You may not import data for any enterprise."))
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_file(
            upload,
            upload.name,
            request.user,
            kind=form.cleaned_data["kind"] or None,
            replace_months=form.cleaned_data["replace_months"],
            preview=True,
        )
        if result.ok:
            return redirect("flows:import_status", pk=result.batch_id)
    return render(request, "flows/import.html", _context(request, form=form, result=result))


def _own_batch(request, pk: int) -> ImportBatch:
    qs = ImportBatch.objects.all()
    if not request.user.is_superuser:
        qs = qs.filter(user=request.user)
    return get_object_or_404(qs, pk=pk)


ACTIONS = {"c": gettext_lazy("New"), "u": gettext_lazy("Changed"), "=": gettext_lazy("Unchanged")}


def _preview_rows(rows: list[dict]) -> list[dict]:
    cat = default_catalogue()
    lang = translation.get_language() or "vi"
    names = dict(
        Enterprise.objects.filter(
            pk__in={r["enterprise_id"] for r in rows if r["enterprise_id"]}
        ).values_list("pk", "name_vi")
    )
    out = []
    for r in rows:
        res = cat.get(r["resource_code"])
        out.append({
            **r,
            "enterprise": names.get(r["enterprise_id"]) or r.get("tax_code") or "—",
            "resource": res.name(lang) if res else r["resource_code"],
            "direction_label": _("Input") if r["direction"] == "in" else _("Output"),
            "action_label": ACTIONS.get(r["action"], "—"),
            "period": r["period"][5:7] + "/" + r["period"][:4],
        })  # fmt: skip
    return out


@login_required
def import_status(request, pk: int):
    """One batch: its preview (confirm / cancel), its outcome (undo), or its progress."""
    batch = _own_batch(request, pk)
    preview = batch.preview or {}
    ctx = {
        "batch": batch,
        "rows": _preview_rows(preview.get("rows", [])),
        "warned": _preview_rows(preview.get("warned", [])),
        "live": _live(batch),
    }
    if request.headers.get("HX-Request"):
        return render(request, "flows/_import_status.html", ctx)
    return render(request, "flows/import_batch.html", ctx)


@login_required
@require_POST
def import_apply(request, pk: int):
    batch = _own_batch(request, pk)
    form = ImportApplyForm(request.POST)
    if form.is_valid() and form.cleaned_data["cancel"]:
        discard_batch(batch.pk)
        messages.info(request, _("Import cancelled; nothing was written."))
        return redirect("flows:import")
    from eiphub.jobs.api import redirect_to

    from .jobs import enqueue_import

    # The write runs as a background job; the job page shows its progress and then
    # sends the user back to the batch (at once when the job already finished).
    return redirect_to(enqueue_import(batch, owner=request.user), request)


@login_required
@require_POST
def import_undo(request, pk: int):
    batch = _own_batch(request, pk)
    try:
        undo_batch(batch.pk, request.user)
    except UndoError:
        messages.error(request, _("Only a written import can be undone."))
    else:
        messages.success(request, _("Import undone: the previous values are back."))
    return redirect("flows:import_status", pk=batch.pk)


@login_required
def import_history(request):
    if not _may_import(request.user):
        raise PermissionDenied(_("You may not import data for any enterprise."))
    qs = ImportBatch.objects.select_related("user", "undone_by")
    if not request.user.is_superuser:
        qs = qs.filter(user=request.user)
    return render(request, "flows/import_history.html", {"batches": qs.order_by("-created")[:200]})


def template_download(request, kind: str, fmt: str):
    """An empty import template; no data, so anyone may download it."""
    lang = request.GET.get("lang") or translation.get_language() or "vi"
    try:
        data = template(kind, fmt, lang)
    except ExportError as exc:
        return HttpResponseBadRequest(str(exc))
    return _download(data, fmt, export_filename("template", kind, None, fmt, lang[:2]))


@login_required
def export_download(request):
    """Parks, enterprises or flows the user may read (scoping decides), as a file."""
    what = request.GET.get("what") or "flows"
    park = request.GET.get("park") or None
    fmt = request.GET.get("format") or "xlsx"
    lang = request.GET.get("lang") or translation.get_language() or "vi"
    year = request.GET.get("year") or None
    try:
        year = int(year) if year else None
        if year is not None and not 1900 <= year <= 2100:
            raise ValueError(year)
        data = export(what, request.user, park=park, year=year, fmt=fmt, lang=lang)
    except ValueError as exc:  # ExportError or a bad year
        return HttpResponseBadRequest(str(exc) if isinstance(exc, ExportError) else _("Bad year."))
    return _download(data, fmt, export_filename(what, park, year, fmt, lang))


# --------------------------------------------------------------------------- helpers


def _download(data: bytes, fmt: str, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=CONTENT_TYPES.get(fmt, "application/octet-stream"))
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def _context(request, **extra) -> dict:
    lang = translation.get_language() or "vi"
    templates = [
        {"kind": k, "label": S.KINDS[k].sheet_name(lang)} for k in ("flows", "enterprises", "parks")
    ]
    return {
        "templates": templates,
        "formats": FORMATS,
        "parks": parks_for(request.user).order_by("code"),
        "this_year": timezone.localdate().year,
        **extra,
    }


def _live(batch: ImportBatch) -> dict:
    done, total = batch.progress, batch.total
    pct = round(100 * done / total) if total else 0
    return {"stage": batch.stage, "done": done, "total": total, "pct": min(pct, 100)}
