"""``{% evidence_panel v %}``: a listing's evidence as the viewer may see it (issue 17).
Files only when the viewer may know the firm (attachments.may_see_files); a blind viewer
gets the number of attachments of each kind."""

from collections import Counter

from django import template

from eiphub.exchange import attachments as A
from eiphub.exchange import services as S
from eiphub.exchange.models import Listing, ListingAttachment

register = template.Library()


@register.inclusion_tag("exchange/_evidence_panel.html", takes_context=True)
def evidence_panel(context, v):
    user = context["request"].user
    listing = Listing.objects.select_related("enterprise__park").get(pk=v.id)
    viewer = S.Viewer(user)
    ev = A.evidence_of(listing)
    atts = list(listing.attachments.all())
    files = atts if A.may_see_files(viewer, listing) else []
    labels = dict(ListingAttachment.Kind.choices)
    counts = (
        [] if files else [(labels[k], n) for k, n in sorted(Counter(a.kind for a in atts).items())]
    )
    owner = v.level == S.OWNER
    facilitate = (
        not owner and ev.partial and ev.facilitator_may_edit and A.may_facilitate(user, listing)
    )
    return {
        "ev": ev,
        "files": files,
        "counts": counts,
        "owner": owner,
        "facilitate": facilitate,
        "listing": listing,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }
