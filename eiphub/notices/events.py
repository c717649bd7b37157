"""The notice events: a code, a label (preferences page) and the sentence a notice of
that event reads as, in the viewer's language (rendered on display, never stored)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EVENTS: dict[str, tuple] = {
    "report_submitted": (
        gettext_lazy("Report submitted"),
        gettext_lazy("%(report)s was submitted for review."),
    ),
    "report_returned": (
        gettext_lazy("Report returned"),
        gettext_lazy("%(report)s was returned: %(comment)s"),
    ),
    "report_accepted": (
        gettext_lazy("Report accepted"),
        gettext_lazy("%(report)s was accepted."),
    ),
    "import_finished": (
        gettext_lazy("Import finished"),
        gettext_lazy("The import %(name)s finished: %(message)s"),
    ),
    "deadline_near": (
        gettext_lazy("Deadline near"),
        gettext_lazy("%(deadline)s is due on %(due)s."),
    ),
    "deadline_passed": (
        gettext_lazy("Deadline passed"),
        gettext_lazy("%(deadline)s was due on %(due)s and is still missing."),
    ),
    # the exchange (eiphub/exchange/notices.py builds the params; ``display_params``
    # turns them into names and bands in the viewer's language).  Params never carry a
    # hidden party's name: resources by catalogue code, free texts redacted for blind
    # recipients, quantities as bands.
    "match_new": (
        gettext_lazy("New match for my listing"),
        gettext_lazy("New match for your %(kind)s “%(resource)s” (score %(score)s)."),
    ),
    "match_interest": (
        gettext_lazy("Interest in my match"),
        gettext_lazy(
            "Another enterprise is interested in a match for your listing “%(resource)s”."
        ),
    ),
    "match_accepted": (
        gettext_lazy("Match accepted by the other side"),
        gettext_lazy(
            "The other side accepted a match for “%(resource)s”; accept too to reveal "
            "both identities."
        ),
    ),
    "match_revealed": (
        gettext_lazy("Match accepted by both sides"),
        gettext_lazy(
            "Both sides accepted the match for “%(resource)s”: you can now see each other "
            "and negotiate."
        ),
    ),
    "match_declined": (
        gettext_lazy("Match declined"),
        gettext_lazy("A match for “%(resource)s” was declined by the other side."),
    ),
    "message_new": (
        gettext_lazy("Negotiation message"),
        gettext_lazy("New negotiation message on a match for “%(resource)s”."),
    ),
    "plan_proposed": (
        gettext_lazy("Exchange proposed by the park's plan"),
        gettext_lazy(
            "The park's network plan proposes an exchange for your listing “%(resource)s”."
        ),
    ),
    "agreement_proposed": (
        gettext_lazy("Agreement proposed"),
        gettext_lazy("An agreement was proposed for “%(resource)s”; please review and confirm."),
    ),
    "agreement_confirmed": (
        gettext_lazy("Agreement confirmed"),
        gettext_lazy("The agreement for “%(resource)s” was confirmed by the other party."),
    ),
    "agreement_operating": (
        gettext_lazy("Exchange operating"),
        gettext_lazy("The exchange of “%(resource)s” is now operating."),
    ),
    "agreement_ended": (
        gettext_lazy("Exchange ended"),
        gettext_lazy("The exchange of “%(resource)s” was ended."),
    ),
    "listing_completed": (
        gettext_lazy("Listing completed by a facilitator"),
        gettext_lazy("A facilitator completed your listing “%(res)s”; see its history."),
    ),
    "listing_expiring": (
        gettext_lazy("Listing expiring"),
        gettext_lazy(
            "Your listing “%(res)s” expires on %(date)s; renew it to keep it in the marketplace."
        ),
    ),
    "search_alert": (
        gettext_lazy("Saved-search alert"),
        gettext_lazy(
            "New listing for your saved search “%(name)s”: %(kind)s %(res)s, %(band)s, "
            "park %(park)s"
        ),
    ),
    # texts of the exchange's old notifications, copied as they were stored
    "legacy": (gettext_lazy("Exchange messages"), "%(text)s"),
}

#: the exchange's events (their params are prepared by eiphub/exchange/notices.py)
EXCHANGE_EVENTS = frozenset(
    code
    for code in EVENTS
    if code.startswith(("match_", "agreement_", "listing_"))
    or code in ("message_new", "plan_proposed", "search_alert")
)

#: events a user may switch off on the preferences page (nothing new is sent as
#: "legacy": only old rows carry it)
PREFERENCE_EVENTS = [code for code in EVENTS if code != "legacy"]


def label(event: str) -> str:
    return str(EVENTS[event][0]) if event in EVENTS else event


def render(event: str, params: dict) -> str:
    """The notice's sentence in the active language."""
    if event not in EVENTS:
        return _("Notice")
    template = str(EVENTS[event][1])
    params = dict(params or {})
    if event.startswith("deadline_") and "deadline" in params:
        from .deadlines import due_text
        from .deadlines import label as deadline_label

        params["deadline"] = deadline_label(params["deadline"], str(params.get("period", "")))
        params["due"] = due_text(params["due"])
    if event in EXCHANGE_EVENTS:
        from eiphub.exchange.notices import display_params

        params = display_params(params)
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return label(event)
