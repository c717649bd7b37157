"""Reports work done by the background workers: recomputing stored criteria results and
aggregates (``reports/stored.py``) after their data changed, and every night."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eiphub.jobs.api import enqueue, hook, job_kind

from . import stored
from .models import StoredResult


def enqueue_recompute(keys) -> None:
    """``EIPHUB_RECOMPUTE_TASK``: queue the recomputation of the (park id, year) ``keys``
    (called once per committed transaction by ``stored.queue_recompute``)."""
    keys = [[p, y] for p, y in keys]
    if keys:
        enqueue("reports.recompute", params={"keys": keys})


@job_kind("reports.recompute", label=gettext_lazy("Recomputation of criteria and aggregates"))
def recompute(job, *, keys):
    n = stored.recompute_keys([tuple(k) for k in keys])
    return {"message": _("%(n)d batches of stored results recomputed.") % {"n": n}}


@hook("nightly_recompute")
def recompute_stale(job):
    """Every stale stored result (a change whose queued job was lost, or a bulk write)."""
    keys = set(
        StoredResult.objects.filter(stale=True, park__isnull=False)
        .values_list("park_id", "year")
        .distinct()
    )
    stored.recompute_keys(sorted(keys))


DOCUMENT_FORMATS = ("docx", "pdf")


def enqueue_document(report, fmt: str, lang: str, owner=None):
    """Queue the generation of a report's DOCX/PDF (one active job per document)."""
    return enqueue(
        "reports.document",
        params={"report": report.pk, "fmt": fmt, "lang": lang},
        owner=owner,
        park=report.park,
        dedupe_key=f"reports.document:{report.pk}:{fmt}:{lang}",
    )


@job_kind("reports.document", label=gettext_lazy("Annual report document (DOCX/PDF)"))
def generate_document(job, *, report, fmt, lang):
    """Write the document through the storage API; the report page shows its freshness."""
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone

    from . import documents
    from .models import AnnualReport, ReportDocument

    rep = AnnualReport.objects.select_related("park__province", "park__developer").get(pk=report)
    stamp = documents.stamp(rep)
    content, _mime, name = documents.export(rep, fmt, lang)
    with transaction.atomic():
        doc = (
            ReportDocument.objects.select_for_update()
            .filter(report=rep, fmt=fmt, lang=lang)
            .first()
        ) or ReportDocument(report=rep, fmt=fmt, lang=lang)
        old = doc.file.name if doc.file else ""
        doc.file.save(name, ContentFile(content), save=False)
        doc.source_stamp, doc.generated_at = stamp, timezone.now()
        doc.save()
        if old:
            storage = doc.file.storage
            transaction.on_commit(lambda: storage.delete(old))
    return {"message": _("Document %(name)s generated.") % {"name": name}}
