"""The texts that static/eiphub/app.js shows, in the page's language.

app.js has no language table of its own: base.html renders this dict with ``json_script`` as
``<script id="eiphub-i18n" type="application/json">`` (a data block, never executed, so the
CSP allows it without a nonce) and ``t(key)`` in app.js reads it.  A new JS text is a new key
here plus its Vietnamese in the catalogue; the keys are the names app.js passes to ``t()``.
"""

from django.utils.translation import pgettext_lazy

from eiphub.web.templatetags.eip import STATUS_LABELS

# Park-map verdicts (app.js colours markers by them); labels shared with the status badges.
MAP_VERDICTS = ("meets", "not_met", "incomplete", "not_applicable")

JS_TEXTS = {
    "open": pgettext_lazy("js", "Open"),
    "error": pgettext_lazy("js", "The chart could not be drawn"),
    "noData": pgettext_lazy("js", "No data yet"),
    "sortAsc": pgettext_lazy("js", "sorted ascending"),
    "sortDesc": pgettext_lazy("js", "sorted descending"),
    "mapLegend": pgettext_lazy("js", "EIP verdict (Decree 35)"),
    "mapVerdict": pgettext_lazy("js", "Verdict"),
    "mapNoVerdict": pgettext_lazy("js", "No verdict shown"),
    **{f"verdict.{code}": STATUS_LABELS[code] for code in MAP_VERDICTS},
}
