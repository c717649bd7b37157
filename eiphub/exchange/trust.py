"""Trust records (issue 17): after an agreement has run, each side records whether
quantities and quality were as promised and deliveries on time; a firm's record
(agreements completed, on time, as specified) is shown to others in the form its
disclosure allows: exact and named to those who may know the firm, as bands and
without any identity to those who may not (before the reveal)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Agreement, AgreementReview


@dataclass(frozen=True)
class FirmRecord:
    completed: int = 0  # agreements ended
    reviewed: int = 0  # reviews the firm's counterparties wrote
    on_time: int = 0
    as_specified: int = 0  # quantities and quality as promised


def has_run(agreement: Agreement) -> bool:
    """An agreement has run when it ended, or operates with realised exchanges."""
    if agreement.status == Agreement.Status.ENDED:
        return True
    return agreement.status == Agreement.Status.OPERATING and agreement.records.exists()


@transaction.atomic
def record_review(
    user,
    agreement: Agreement,
    *,
    quantity_as_promised: bool,
    quality_as_promised: bool,
    on_time: bool,
    comment: str = "",
) -> AgreementReview:
    """One side's record of the other side's performance (a second record replaces
    the first)."""
    from . import services as S

    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    side = S.Viewer(user).agreement_side(agreement)
    if not side:
        raise S.TransitionError(_("Only the two parties can change an agreement."), 403)
    if not has_run(agreement):
        raise S.TransitionError(
            _(
                "A record can be written once the agreement has run (operating with exchanges, or ended)."
            )
        )
    review, _created = AgreementReview.objects.update_or_create(
        agreement=agreement,
        side=side,
        defaults={
            "author": user,
            "quantity_as_promised": quantity_as_promised,
            "quality_as_promised": quality_as_promised,
            "on_time": on_time,
            "comment": (comment or "").strip()[:2000],
        },
    )
    return review


def firm_records(enterprise_ids) -> dict[int, FirmRecord]:
    """The record of each enterprise: its ended agreements and what its counterparties
    recorded about it (a supplier is judged by the receiver's record and vice versa)."""
    ids = set(enterprise_ids)
    completed = {i: 0 for i in ids}
    for sup, rec in Agreement.objects.filter(
        Q(supplier_id__in=ids) | Q(receiver_id__in=ids), status=Agreement.Status.ENDED
    ).values_list("supplier_id", "receiver_id"):
        for e in {sup, rec} & ids:
            completed[e] += 1
    counts = {i: [0, 0, 0] for i in ids}
    reviews = AgreementReview.objects.filter(
        Q(side="receiver", agreement__supplier_id__in=ids)
        | Q(side="supplier", agreement__receiver_id__in=ids)
    ).values_list(
        "side",
        "agreement__supplier_id",
        "agreement__receiver_id",
        "on_time",
        "quantity_as_promised",
        "quality_as_promised",
    )
    for side, sup, rec, on_time, qty_ok, qual_ok in reviews:
        about = sup if side == "receiver" else rec
        if about in counts:
            c = counts[about]
            c[0] += 1
            c[1] += on_time
            c[2] += qty_ok and qual_ok
    return {i: FirmRecord(completed[i], *counts[i]) for i in ids}


def firm_record(enterprise_id: int) -> FirmRecord:
    return firm_records([enterprise_id])[enterprise_id]


def _count_band(n: int) -> str:
    if n == 0:
        return _("none yet")
    for lo, hi in ((1, 2), (3, 9)):
        if n <= hi:
            return f"{lo}–{hi}"
    return _("10 or more")


def _share(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def record_text(record: FirmRecord, named: bool) -> dict:
    """The record as a viewer may see it.  Named: exact counts.  Blind: the number of
    completed agreements as a band and the shares rounded to 10 % (exact small counts
    would single the firm out)."""
    if named:
        completed = str(record.completed)
        on_time = _("%(n)d of %(of)d") % {"n": record.on_time, "of": record.reviewed}
        spec = _("%(n)d of %(of)d") % {"n": record.as_specified, "of": record.reviewed}
    else:
        completed = _count_band(record.completed)
        on_time = f"≈ {round(_share(record.on_time, record.reviewed), -1)} %"
        spec = f"≈ {round(_share(record.as_specified, record.reviewed), -1)} %"
    return {
        "completed": completed,
        "reviewed": record.reviewed > 0,
        "on_time": on_time,
        "as_specified": spec,
        "named": named,
    }


def trust_cards(viewer, m, mv) -> list[dict]:
    """The record of each side of a match other than the viewer's own, as the viewer
    may see it (named only when the viewer may know the firm)."""
    out = []
    sides = (("offer", m.offer, mv.offer), ("want", m.want, mv.want))
    wanted = [lst.enterprise_id for side, lst, _v in sides if side != mv.side]
    records = firm_records(wanted)
    for side, lst, view in sides:
        if side == mv.side:
            continue
        out.append(
            {
                "side": side,
                "name": view.enterprise_name if not view.blind else "",
                **record_text(records[lst.enterprise_id], named=not view.blind),
            }
        )
    return out


def review_context(user, agreement) -> dict:
    from . import services as S
    from .forms_nego import ReviewForm

    viewer = S.Viewer(user)
    side = viewer.agreement_side(agreement)
    reviews = list(agreement.reviews.all())
    mine = next((r for r in reviews if r.side == side), None)
    initial = (
        {
            "quantity_as_promised": mine.quantity_as_promised,
            "quality_as_promised": mine.quality_as_promised,
            "on_time": mine.on_time,
            "comment": mine.comment,
        }
        if mine
        else {"quantity_as_promised": True, "quality_as_promised": True, "on_time": True}
    )
    return {
        "reviews": reviews,
        "review_form": ReviewForm(initial=initial) if side and has_run(agreement) else None,
        "my_review": mine,
    }
