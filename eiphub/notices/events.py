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
    "legacy": (gettext_lazy("Exchange messages"), "%(text)s"),
}

#: events a user may switch off on the preferences page
PREFERENCE_EVENTS = [code for code in EVENTS if code != "legacy"] + ["legacy"]


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
    try:
        return template % {k: v for k, v in (params or {}).items()}
    except (KeyError, TypeError, ValueError):
        return label(event)
