"""Template helpers of the eco-criteria pages (``{% load reports_tags %}``)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, pgettext_lazy

from eiphub.web.templatetags.eip import num

register = template.Library()

# Criterion statuses of the engine that the shared badge does not know, mapped to its styles.
CRITERION_STATUS = {
    "declared_with_evidence": ("declared", pgettext_lazy("status", "Declared, with evidence")),
    "declared_without_evidence": (
        "insufficient_data",
        pgettext_lazy("status", "Declared, no evidence"),
    ),
    "reported": ("not_applicable", pgettext_lazy("status", "Reported")),
    "incomplete": ("insufficient_data", pgettext_lazy("status", "Incomplete")),
}


@register.simple_tag
def crit_badge(code):
    """Badge of a criterion status or verdict (meets, declared_with_evidence, incomplete ...)."""
    if code in CRITERION_STATUS:
        css, label = CRITERION_STATUS[code]
        return format_html(
            '<span class="badge badge--{}" data-status="{}">{}</span>', css, code, label
        )
    from eiphub.web.templatetags.eip import status_badge

    return status_badge(code)


@register.filter
def value_fmt(value, unit=""):
    """A criterion value: yes/no in the page language, numbers localised."""
    from django.utils.translation import gettext as _

    if value is None:
        return "—"
    if isinstance(value, bool) or unit == "yes/no":
        return _("yes") if value else _("no")
    return num(value)


@register.filter
def pick_lang(obj, field):
    """``row|pick_lang:"name"`` gives name_vi or name_en by the active language."""
    lang = (get_language() or "vi").split("-")[0]
    getter = obj.get if isinstance(obj, dict) else lambda k, d=None: getattr(obj, k, d)
    return getter(f"{field}_{'en' if lang == 'en' else 'vi'}") or getter(f"{field}_vi")


AUDIT_ACTIONS = {
    "create": pgettext_lazy("audit", "Created"),
    "edit": pgettext_lazy("audit", "Value changed"),
    "recompute": pgettext_lazy("audit", "Computed values refreshed"),
    "submit": pgettext_lazy("audit", "Submitted"),
    "submit_for_approval": pgettext_lazy("audit", "Submitted for approval"),
    "approve": pgettext_lazy("audit", "Approved and submitted"),
    "send_back": pgettext_lazy("audit", "Sent back to the preparer"),
    "reopen": pgettext_lazy("audit", "Reopened as draft"),
    "accept": pgettext_lazy("audit", "Accepted"),
    "return": pgettext_lazy("audit", "Returned"),
    "comment": pgettext_lazy("audit", "Comment on an indicator"),
    "evidence_add": pgettext_lazy("audit", "Evidence attached"),
    "evidence_remove": pgettext_lazy("audit", "Evidence removed"),
}


@register.filter
def audit_action(code):
    """The audit trail's action in the page language (never the stored code)."""
    label = AUDIT_ACTIONS.get(str(code))
    return label if label is not None else code


@register.filter
def audit_value(value, field=""):
    """An audit before/after value: statuses by their label, numbers in the page's format."""
    from eiphub.reports.models import ReportStatus

    if value is None or value == "":
        return "—"
    if isinstance(value, dict) and set(value) == {"status"}:
        value, field = value["status"], "status"
    if field == "status" and value in ReportStatus.values:
        return ReportStatus(value).label
    if isinstance(value, bool):
        return value_fmt(value, "yes/no")
    if isinstance(value, int | float):
        return num(value)
    return value
