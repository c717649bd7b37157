"""``{% project_sheet_link "measure" m.pk park_id %}``: a "Create project sheet" button for
users who may open a sheet in that park (the source pages of RECP measures, agreements and
network scenarios)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def project_sheet_link(context, kind, pk, park_id):
    from eiphub.accounts.scoping import project_parks_writable_by

    request = context.get("request")
    if request is None or park_id is None:
        return ""
    if not project_parks_writable_by(request.user).filter(pk=park_id).exists():
        return ""
    url = f"{reverse('finance:project_create')}?from={kind}&id={int(pk)}"
    return format_html(
        '<a class="btn" id="create-project" href="{}">{}</a>', url, _("Create project sheet")
    )
