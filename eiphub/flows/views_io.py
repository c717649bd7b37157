"""Import page (upload, progress, errors), template downloads and scoped exports.

Small files are imported during the request.  Larger files are saved under
VAR_DIR/imports and imported in a background thread that records its progress
on the ImportBatch row; the page polls it with HTMX every second.
"""

from __future__ import annotations

import logging
import os
import threading

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection, transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eiphub.accounts.scoping import enterprises_writable_by, parks_for, parks_writable_by

from . import io_schema as S
from .exporter import FORMATS, ExportError, export, export_filename, template
from .importer import PROGRESS_EVERY, import_file
from .models import BatchStatus, ImportBatch

log = logging.getLogger(__name__)

SYNC_MAX_BYTES = 1024 * 1024  # larger uploads are imported in the background
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

# Live progress of background imports in this process: batch id -> (stage, done, total).
_progress: dict[int, tuple[str, int, int]] = {}
_threads: dict[int, threading.Thread] = {}


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

    def clean_file(self):
        f = self.cleaned_data["file"]
        if os.path.splitext(f.name)[1].lower() not in (".xlsx", ".xlsm", ".csv"):
            raise forms.ValidationError(_("Upload an Excel (.xlsx) or CSV (.csv) file."))
        return f


def _may_import(user) -> bool:
    return enterprises_writable_by(user).exists() or parks_writable_by(user).exists()


@transaction.non_atomic_requests  # the batch row must be committed before its thread starts
@login_required
def import_page(request):
    if not _may_import(request.user):
        raise PermissionDenied(_("You may not import data for any enterprise."))
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"] or None
        if upload.size <= SYNC_MAX_BYTES:
            result = import_file(upload, upload.name, request.user, kind=kind)
        else:
            batch = _start_background(upload, request.user, kind)
            return redirect("flows:import_status", pk=batch.pk)
    return render(request, "flows/import.html", _context(request, form=form, result=result))


@login_required
def import_status(request, pk: int):
    """The progress or outcome of a background import (HTMX polls the partial)."""
    batch = get_object_or_404(ImportBatch, pk=pk, user=request.user)
    ctx = {"batch": batch, "live": _live(batch)}
    if request.headers.get("HX-Request"):
        return render(request, "flows/_import_status.html", ctx)
    return render(request, "flows/import.html", _context(request, form=ImportForm(), **ctx))


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
    stage, done, total = _progress.get(batch.pk, (batch.stage, batch.progress, batch.total))
    pct = round(100 * done / total) if total else 0
    return {"stage": stage, "done": done, "total": total, "pct": min(pct, 100)}


def _start_background(upload, user, kind) -> ImportBatch:
    folder = os.path.join(settings.VAR_DIR, "imports")
    os.makedirs(folder, exist_ok=True)
    batch = ImportBatch.objects.create(
        filename=upload.name[:255], user=user, kind=kind or "", status=BatchStatus.PENDING
    )
    path = os.path.join(folder, f"{batch.pk}-{get_valid_filename(upload.name)}")
    with open(path, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    args = (batch.pk, path, upload.name, user.pk, kind, translation.get_language() or "vi")
    _launch(batch.pk, args)
    return batch


def _launch(batch_id: int, args: tuple) -> threading.Thread:
    t = threading.Thread(target=_run, args=args, daemon=True, name=f"import-{batch_id}")
    _threads[batch_id] = t
    t.start()
    return t


def _run(batch_id, path, filename, user_id, kind, lang):
    """Background import: validate, then write in one transaction; record the outcome."""
    close_old_connections()
    rows = ImportBatch.objects.filter(pk=batch_id)
    try:
        rows.update(status=BatchStatus.RUNNING)
        user = get_user_model().objects.get(pk=user_id)
        saved = {"done": 0}

        def progress(stage, done, total):
            _progress[batch_id] = (stage, done, total)
            # Outside the write transaction the row is updated too (other processes see it).
            if stage == "validate" and (done - saved["done"] >= PROGRESS_EVERY or done == total):
                saved["done"] = done
                rows.update(stage=stage, progress=done, total=total)

        result = import_file(path, filename, user, kind=kind, progress=progress, lang=lang,
                             batch=rows.get())  # fmt: skip
        if result.ok:
            rows.update(status=BatchStatus.DONE, stage="write", progress=result.rows,
                        total=result.rows, created_count=result.created,
                        finished=timezone.now())  # fmt: skip
        else:
            rows.update(status=BatchStatus.FAILED, rows=result.rows, error_count=result.error_count,
                        errors=[e.as_dict() for e in result.errors], finished=timezone.now())  # fmt: skip
    except Exception:
        log.exception("background import %s failed", batch_id)
        with translation.override(lang):
            message = _("The import stopped on an unexpected error; nothing was written.")
        rows.update(status=BatchStatus.FAILED, error_count=1, finished=timezone.now(),
                    errors=[{"sheet": filename, "row": 0, "column": "", "message": message}])  # fmt: skip
    finally:
        _progress.pop(batch_id, None)
        try:
            os.remove(path)
        except OSError:
            pass
        connection.close()
