"""Anonymous negotiation on a match (issue 17).

Before both sides accepted, every message is relayed without what would name the
sender: the redaction filter of :mod:`eiphub.core.redaction` removes contact
details, tax codes and the sender's own names and address, and the sender is told
what was removed.  Only the relayed (redacted) text is kept, with the match, so no
page, export or API answer can show the original.  After mutual acceptance the
conversation is normal.  The counterparty is notified from a job
(:mod:`.jobs_nego`), never in the request.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eiphub.core.redaction import ADDRESS, EMAIL, NAME, PHONE, TAX_CODE, URL, Redaction, redact
from eiphub.registry.models import Enterprise

from .models import Listing, Match

KIND_LABELS = {
    EMAIL: gettext_lazy("e-mail address"),
    URL: gettext_lazy("web address"),
    PHONE: gettext_lazy("phone number"),
    TAX_CODE: gettext_lazy("tax code"),
    NAME: gettext_lazy("your firm's name"),
    ADDRESS: gettext_lazy("your firm's address"),
}


def sender_terms(enterprise: Enterprise) -> tuple[list[str], list[str]]:
    """(names, addresses) that identify the sender: its names, organisation and tax
    code; its plot and the sites written on its listings."""
    names = [enterprise.name_vi, enterprise.name_en, enterprise.tax_code]
    org = getattr(enterprise, "organization", None)
    if org is not None:
        names += [getattr(org, "name", "") or ""]
    addresses = [enterprise.plot or ""]
    addresses += list(
        Listing.objects.filter(enterprise=enterprise)
        .exclude(site="")
        .values_list("site", flat=True)
    )
    return [n for n in names if n], [a for a in addresses if a]


def relay(match: Match, side: str, text: str) -> Redaction:
    """The message as the other side receives it: redacted while the match is not
    revealed, unchanged after both sides accepted."""
    if match.revealed:
        return Redaction(text=text)
    sender = match.offer.enterprise if side == "offer" else match.want.enterprise
    names, addresses = sender_terms(sender)
    return redact(text, names=names, addresses=addresses)


def removed_message(kinds) -> str:
    """What the sender is told after a redacted message was sent."""
    labels = ", ".join(str(KIND_LABELS[k]) for k in kinds if k in KIND_LABELS)
    return _(
        "Sent. Before both sides accept, contact details are not passed on; removed from your "
        "message: %(what)s."
    ) % {"what": labels}
