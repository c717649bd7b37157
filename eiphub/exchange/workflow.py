"""The match -> agreement -> realised exchange workflow."""

from __future__ import annotations

import datetime as dt
import math

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from eiphub.core.catalogue import default_catalogue
from eiphub.core.units import UnitError
from eiphub.registry.models import Enterprise

from .listings import Viewer, match_qs
from .models import Agreement, ExchangeRecord, Match, MatchNote, WorkflowEvent
from .notices import match_params, notify_later


class TransitionError(Exception):
    """A refused workflow step.  ``status``: 403 (not your match) or 409 (wrong state),
    400 (bad input).  The message is translated and never names a hidden party.
    ``code`` names the refusal for programs: ``forbidden``, ``invalid``, ``conflict``,
    ``stale`` (changed since read), ``wrong_state`` (the table has no such step) or
    ``missing_param``."""

    STATUS_CODES = {403: "forbidden", 400: "invalid", 409: "conflict"}

    def __init__(self, message: str, status: int = 409, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code or self.STATUS_CODES.get(status, "conflict")


# --------------------------------------------------------------------------
# The transition table: the only place where a match's or an agreement's state changes.
# --------------------------------------------------------------------------

MS, AS = Match.Status, Agreement.Status
A = WorkflowEvent.Action
# (kind, state, action) -> (next state, who may act, required params).
# who: "party" = an owner of one of the match's listings / one of the agreement's two
# parties; "system" = a step the workflow takes itself as the consequence of another
# (the match is agreed when its agreement is confirmed by both parties).
# Required params are written to the object's fields of the same name and to the audit.
TRANSITIONS: dict[tuple[str, str, str], tuple[str, str, tuple[str, ...]]] = {
    # match: interest and the first acceptance keep the match "interested"; the second
    # acceptance ("reveal") reveals both identities and starts the negotiation
    ("match", MS.IDENTIFIED, A.INTEREST): (MS.INTERESTED, "party", ()),
    ("match", MS.INTERESTED, A.INTEREST): (MS.INTERESTED, "party", ()),
    ("match", MS.NEGOTIATING, A.INTEREST): (MS.NEGOTIATING, "party", ()),
    ("match", MS.IDENTIFIED, A.ACCEPT): (MS.INTERESTED, "party", ()),
    ("match", MS.INTERESTED, A.ACCEPT): (MS.INTERESTED, "party", ()),
    ("match", MS.IDENTIFIED, A.REVEAL): (MS.NEGOTIATING, "party", ()),
    ("match", MS.INTERESTED, A.REVEAL): (MS.NEGOTIATING, "party", ()),
    ("match", MS.IDENTIFIED, A.DECLINE): (MS.DECLINED, "party", ()),
    ("match", MS.INTERESTED, A.DECLINE): (MS.DECLINED, "party", ()),
    ("match", MS.NEGOTIATING, A.DECLINE): (MS.DECLINED, "party", ()),
    # a match declined while its agreement was proposed is still agreed when the
    # agreement is confirmed (as before the table)
    ("match", MS.IDENTIFIED, A.AGREE_MATCH): (MS.AGREED, "system", ()),
    ("match", MS.INTERESTED, A.AGREE_MATCH): (MS.AGREED, "system", ()),
    ("match", MS.NEGOTIATING, A.AGREE_MATCH): (MS.AGREED, "system", ()),
    ("match", MS.DECLINED, A.AGREE_MATCH): (MS.AGREED, "system", ()),
    # agreement: each party confirms; the second confirmation ("agree") agrees it
    ("agreement", AS.PROPOSED, A.CONFIRM): (AS.PROPOSED, "party", ()),
    ("agreement", AS.PROPOSED, A.AGREE): (AS.AGREED, "party", ()),
    ("agreement", AS.AGREED, A.OPERATE): (AS.OPERATING, "party", ("starts_on",)),
    ("agreement", AS.AGREED, A.END): (AS.ENDED, "party", ("ends_on",)),
    ("agreement", AS.OPERATING, A.END): (AS.ENDED, "party", ("ends_on",)),
}


def _refusal(kind: str, state: str, action: str) -> str:
    """The translated reason a step is not in the table (the messages the workflow
    always gave)."""
    if kind == "match":
        if state == MS.DECLINED:
            return _("This match was declined.")
        if state == MS.AGREED:
            return _("This match already led to an agreement.")
    else:
        if action in (A.CONFIRM, A.AGREE):
            return _("Only a proposed agreement can be confirmed.")
        if action == A.OPERATE:
            return _("Only an agreed agreement can start operating.")
        if action == A.END:
            return _("Only an agreed or operating agreement can be ended.")
    return _("This step is not possible in the current state.")


def _kind(obj) -> str:
    return "match" if isinstance(obj, Match) else "agreement"


def allowed(obj, action: str) -> bool:
    return (_kind(obj), obj.status, action) in TRANSITIONS


def check(obj, action: str, user, version=None, viewer: Viewer | None = None) -> str:
    """Refuse the step unless it may be applied now: the version the user read (409,
    ``stale``), who may act (403) and the table (409, ``wrong_state``).  Returns the
    user's side ("offer"/"want", "supplier"/"receiver"; "" for a system step)."""
    kind = _kind(obj)
    if version not in (None, "") and str(version) != str(getattr(obj, "version", version)):
        raise TransitionError(_stale_message(), 409, "stale")
    row = TRANSITIONS.get((kind, obj.status, action))
    who = row[1] if row else "party"
    side = ""
    if who == "party":
        viewer = viewer or Viewer(user)
        side = _require_side(viewer, obj) if kind == "match" else _require_party(viewer, obj)
    if row is None:
        raise TransitionError(_refusal(kind, obj.status, action), 409, "wrong_state")
    return side


def apply(obj, action: str, user, version=None, *, viewer: Viewer | None = None, **params):
    """Apply one step of the table to a locked match or agreement: check it, set the
    next state (and the step's required params), bump the agreement's version and
    write the audit row.  Returns the object."""
    check(obj, action, user, version, viewer)
    kind = _kind(obj)
    before = obj.status
    after, _who, required = TRANSITIONS[(kind, before, action)]
    missing = [name for name in required if params.get(name) in (None, "")]
    if missing:
        raise TransitionError(
            _("This step needs: %(names)s.") % {"names": ", ".join(missing)}, 400, "missing_param"
        )
    for name in required:
        setattr(obj, name, params[name])
    obj.status = after
    if kind == "agreement":
        obj.version += 1
    obj.save()
    WorkflowEvent.objects.create(
        match=obj if kind == "match" else obj.match,
        agreement=obj if kind == "agreement" else params.get("agreement"),
        action=action,
        from_state=before,
        to_state=after,
        user=user if getattr(user, "is_authenticated", False) else None,
        params={
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in params.items()
            if k in required
        },
    )
    return obj


# --------------------------------------------------------------------------
# Workflow
# --------------------------------------------------------------------------


def _lock_match(match: Match) -> Match:
    return match_qs().select_for_update(of=("self",)).get(pk=match.pk)


def _require_side(viewer: Viewer, match: Match) -> str:
    side = viewer.side(match)
    if not side:
        raise TransitionError(_("Only the owners of the two listings can act on a match."), 403)
    return side


def _other_enterprise(match: Match, side: str) -> int:
    return match.want.enterprise_id if side == "offer" else match.offer.enterprise_id


def _match_url(match: Match) -> str:
    return reverse("exchange:match_detail", args=[match.pk])


def _tell_other(match: Match, side: str, event: str, user) -> None:
    """Tell the users of the match's other side, from a job once the step commits; the
    offer's resource as that side may see it (redacted while the offerer is hidden)."""
    other = "want" if side == "offer" else "offer"
    notify_later(
        _other_enterprise(match, side),
        event,
        match_params(match, other),
        _match_url(match),
        owner=user,
    )


def _note(match, user, side, kind, text=""):
    return MatchNote.objects.create(match=match, author=user, side=side, kind=kind, text=text)


def _open(match: Match):
    if match.status == Match.Status.DECLINED:
        raise TransitionError(_("This match was declined."))
    if match.status == Match.Status.AGREED:
        raise TransitionError(_("This match already led to an agreement."))


@transaction.atomic
def express_interest(user, match: Match) -> Match:
    viewer = Viewer(user)
    match = _lock_match(match)
    side = check(match, A.INTEREST, user, viewer=viewer)
    apply(match, A.INTEREST, user, viewer=viewer)
    _note(match, user, side, MatchNote.Kind.INTEREST)
    _tell_other(match, side, "match_interest", user)
    return match


@transaction.atomic
def accept(user, match: Match) -> Match:
    """Accept on the user's side; when both sides accepted, identities are revealed."""
    viewer = Viewer(user)
    match = _lock_match(match)
    side = check(match, A.ACCEPT, user, viewer=viewer)
    if getattr(match, f"{side}_accepted"):
        raise TransitionError(_("You already accepted this match."))
    setattr(match, f"{side}_accepted", True)
    apply(match, A.REVEAL if match.revealed else A.ACCEPT, user, viewer=viewer)
    _note(match, user, side, MatchNote.Kind.ACCEPT)
    if match.revealed:
        for s in ("offer", "want"):
            ent = match.offer.enterprise_id if s == "offer" else match.want.enterprise_id
            notify_later(
                ent, "match_revealed", match_params(match, s), _match_url(match), owner=user
            )
    else:
        _tell_other(match, side, "match_accepted", user)
    return match


@transaction.atomic
def decline(user, match: Match, reason: str = "") -> Match:
    viewer = Viewer(user)
    match = _lock_match(match)
    side = check(match, A.DECLINE, user, viewer=viewer)
    apply(match, A.DECLINE, user, viewer=viewer)
    from .negotiation import relay

    _note(match, user, side, MatchNote.Kind.DECLINE, relay(match, side, reason[:2000]).text)
    _tell_other(match, side, "match_declined", user)
    return match


@transaction.atomic
def add_note(user, match: Match, text: str) -> MatchNote:
    viewer = Viewer(user)
    match = _lock_match(match)
    side = _require_side(viewer, match)
    if match.status == Match.Status.DECLINED:
        raise TransitionError(_("This match was declined."))
    text = (text or "").strip()
    if not text:
        raise TransitionError(_("Write a note first."), 400)
    if len(text) > 2000:
        raise TransitionError(_("A note may have at most 2000 characters."), 400)
    # issue 17: before the reveal the message is relayed redacted (negotiation.py);
    # the counterparty is notified from a job (jobs_nego.py)
    from .jobs_nego import enqueue_message_notice
    from .negotiation import relay

    relayed = relay(match, side, text)
    note = MatchNote.objects.create(
        match=match,
        author=user,
        side=side,
        kind=MatchNote.Kind.NOTE,
        text=relayed.text,
        before_reveal=not match.revealed,
        removed=list(relayed.kinds),
    )
    note.redaction = relayed
    enqueue_message_notice(note, owner=user)
    return note


def _month(value) -> dt.date:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value if len(value) > 7 else value + "-01")
    return value.replace(day=1)


@transaction.atomic
def create_agreement(
    user,
    match: Match,
    *,
    quantity_per_year: float | None = None,
    price_vnd_per_unit: float | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    notes: str = "",
) -> Agreement:
    """Draft an agreement from a match both sides accepted; the proposing side confirms it."""
    viewer = Viewer(user)
    match = _lock_match(match)
    side = _require_side(viewer, match)
    if not match.revealed:
        raise TransitionError(_("Both sides must accept the match before an agreement."))
    _open(match)
    if match.agreement_set.exclude(status=Agreement.Status.ENDED).exists():
        raise TransitionError(_("This match already has an agreement."))
    qty = match.matched_quantity if quantity_per_year is None else float(quantity_per_year)
    if not (qty > 0 and math.isfinite(qty)):
        raise TransitionError(_("The quantity must be positive."), 400)
    if starts_on and ends_on and ends_on < starts_on:
        raise TransitionError(_("The end date is before the start date."), 400)
    if price_vnd_per_unit is None and match.offer.unit == match.unit:
        price_vnd_per_unit = match.offer.price_vnd_per_unit
    ratio = qty / match.matched_quantity if match.matched_quantity else 1.0
    agreement = Agreement.objects.create(
        match=match,
        supplier=match.offer.enterprise,
        receiver=match.want.enterprise,
        resource_code=match.offer.resource_code or match.want.resource_code,
        quantity_per_year=qty,
        unit=match.unit or match.offer.unit,
        price_vnd_per_unit=price_vnd_per_unit,
        starts_on=starts_on,
        ends_on=ends_on,
        pathway=match.pathway,
        benefit_vnd_per_year=match.benefit_vnd_per_year * ratio,
        co2e_t_per_year=match.co2e_t_per_year * ratio,
        notes=notes[:5000],
        supplier_confirmed=side == "offer",
        receiver_confirmed=side == "want",
    )
    _note(match, user, side, MatchNote.Kind.AGREEMENT)
    notify_later(
        _other_enterprise(match, side),
        "agreement_proposed",
        {"resource_code": agreement.resource_code},
        reverse("exchange:agreement_detail", args=[agreement.pk]),
        owner=user,
    )
    return agreement


def _lock_agreement(agreement: Agreement, read_version=None) -> Agreement:
    """Lock the agreement's row; with ``read_version`` (the version the user's page or
    client read), refuse with a 409 when it changed since (issue 18)."""
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("supplier", "receiver", "match")
        .get(pk=agreement.pk)
    )
    if read_version not in (None, "") and str(read_version) != str(locked.version):
        raise TransitionError(_stale_message(), 409)
    return locked


def _stale_message() -> str:
    from eiphub.web.concurrency import StaleEdit

    return StaleEdit().message


def _require_party(viewer: Viewer, agreement: Agreement) -> str:
    side = viewer.agreement_side(agreement)
    if not side:
        raise TransitionError(_("Only the two parties can change an agreement."), 403)
    return side


def _agreement_event(agreement: Agreement, side: str, event: str, user) -> None:
    """Tell the other party of an agreement (both are revealed to each other)."""
    other = agreement.receiver_id if side == "supplier" else agreement.supplier_id
    notify_later(
        other,
        event,
        {"resource_code": agreement.resource_code},
        reverse("exchange:agreement_detail", args=[agreement.pk]),
        owner=user,
    )


@transaction.atomic
def confirm_agreement(user, agreement: Agreement, read_version=None) -> Agreement:
    viewer = Viewer(user)
    agreement = _lock_agreement(agreement)
    side = check(agreement, A.CONFIRM, user, read_version, viewer)
    if getattr(agreement, f"{side}_confirmed"):
        raise TransitionError(_("You already confirmed this agreement."))
    setattr(agreement, f"{side}_confirmed", True)
    both = agreement.supplier_confirmed and agreement.receiver_confirmed
    apply(agreement, A.AGREE if both else A.CONFIRM, user, viewer=viewer)
    if both and agreement.match_id:
        match = Match.objects.select_for_update().get(pk=agreement.match_id)
        if match.status != Match.Status.AGREED:
            apply(match, A.AGREE_MATCH, user, agreement=agreement)
    _agreement_event(agreement, side, "agreement_confirmed", user)
    return agreement


@transaction.atomic
def mark_operating(
    user, agreement: Agreement, starts_on: dt.date | None = None, read_version=None
) -> Agreement:
    viewer = Viewer(user)
    agreement = _lock_agreement(agreement)
    side = check(agreement, A.OPERATE, user, read_version, viewer)
    starts_on = starts_on or agreement.starts_on or dt.date.today()
    apply(agreement, A.OPERATE, user, viewer=viewer, starts_on=starts_on)
    _agreement_event(agreement, side, "agreement_operating", user)
    return agreement


@transaction.atomic
def end_agreement(
    user, agreement: Agreement, ends_on: dt.date | None = None, read_version=None
) -> Agreement:
    viewer = Viewer(user)
    agreement = _lock_agreement(agreement)
    side = check(agreement, A.END, user, read_version, viewer)
    apply(agreement, A.END, user, viewer=viewer, ends_on=ends_on or dt.date.today())
    _agreement_event(agreement, side, "agreement_ended", user)
    return agreement


@transaction.atomic
def record_exchange(
    user, agreement: Agreement, period, quantity: float, read_version=None
) -> ExchangeRecord:
    """Record (or correct) the quantity exchanged in one month under an operating
    agreement, and bring the park's flows in line: the supplier's output with fate
    'sold' and the receiver's input with origin 'other_enterprise' for that month
    are the totals of all realised exchanges of that resource between them and
    their counterparties (one flow row per enterprise, resource, month and route)."""
    from eiphub.flows.services import FlowInputError, validate_period

    viewer = Viewer(user)
    agreement = _lock_agreement(agreement)
    _require_party(viewer, agreement)
    if agreement.status not in (Agreement.Status.OPERATING, Agreement.Status.ENDED):
        raise TransitionError(_("Exchanges can be recorded only once the agreement operates."))
    try:
        period = validate_period(_month(period))
    except (FlowInputError, ValueError) as exc:
        raise TransitionError(getattr(exc, "message", _("Give the month as YYYY-MM.")), 400)
    if agreement.starts_on and period < agreement.starts_on.replace(day=1):
        raise TransitionError(_("This month is before the agreement started."), 400)
    if agreement.ends_on and period > agreement.ends_on:
        raise TransitionError(_("This month is after the agreement ended."), 400)
    try:
        quantity = float(quantity)
    except (TypeError, ValueError):
        raise TransitionError(_("The quantity must be a number."), 400)
    if not (quantity >= 0 and math.isfinite(quantity)):
        raise TransitionError(_("The quantity must not be negative."), 400)
    with transaction.atomic():
        # The flow totals of both parties are sums over every agreement of theirs: lock both
        # enterprises (in pk order, so two recorders never deadlock) before writing, so a
        # concurrent record for the same receiver or supplier waits and then sees this one.
        list(
            Enterprise.objects.select_for_update()
            .filter(pk__in=(agreement.supplier_id, agreement.receiver_id))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        existing = ExchangeRecord.objects.filter(agreement=agreement, period=period).first()
        if (
            existing is not None
            and existing.quantity != quantity
            and read_version not in (None, "")
            and str(read_version) != str(agreement.version)
        ):  # a correction of a month that changed since the user read it (issue 18)
            raise TransitionError(_stale_message(), 409)
        rec, _created = ExchangeRecord.objects.update_or_create(
            agreement=agreement, period=period, defaults={"quantity": quantity}
        )
        agreement.version += 1
        Agreement.objects.filter(pk=agreement.pk).update(version=agreement.version)
        sync_flows(agreement, period, user=user)
    return rec


def sync_flows(agreement: Agreement, period: dt.date, user=None) -> None:
    """Write the supplier's 'sold' output and the receiver's input from other
    enterprises for one month as the totals of the realised exchange records."""
    from eiphub.flows.models import Fate, FlowRecord, Origin
    from eiphub.flows.services import FlowInputError, save_flow

    code = agreement.resource_code
    cat = default_catalogue()
    res = cat.get(code)
    if res is None or res.is_group:
        raise TransitionError(
            _(
                "The resource of this agreement is not a catalogue resource; flows cannot be "
                "updated."
            ),
            400,
        )
    live = (Agreement.Status.OPERATING, Agreement.Status.ENDED)
    for who, direction, route in (
        ("supplier", "out", {"fate": Fate.SOLD}),
        ("receiver", "in", {"origin": Origin.OTHER_ENTERPRISE}),
    ):
        ent = getattr(agreement, who)
        recs = ExchangeRecord.objects.filter(
            period=period,
            agreement__resource_code=code,
            agreement__status__in=live,
            **{f"agreement__{who}": ent},
        ).select_related("agreement")
        total, partners = 0.0, set()
        for r in recs:
            try:
                total += cat.to_canonical(code, r.quantity, r.agreement.unit)
            except UnitError:
                raise TransitionError(
                    _("Unit “%(unit)s” cannot measure this resource.") % {"unit": r.agreement.unit},
                    400,
                )
            partners.add(r.agreement.receiver_id if who == "supplier" else r.agreement.supplier_id)
        key = dict(enterprise=ent, resource_code=code, direction=direction, period=period)
        if not recs:
            FlowRecord.objects.filter(**key, **route).delete()
            continue
        counterparty = Enterprise.objects.get(pk=partners.pop()) if len(partners) == 1 else None
        try:
            save_flow(
                owner=ent,
                resource_code=code,
                direction=direction,
                period=period,
                quantity=round(total, 6),
                unit=res.unit,
                user=user,
                counterparty=counterparty,
                **route,
            )
        except FlowInputError as exc:
            raise TransitionError(exc.message, 400)
