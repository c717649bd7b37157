"""The write validation layer (issue 18): translated messages for the rules of
``eiphub.core.bounds``, Django validators for forms, models and the admin, and the
request guard that rejects unstorable input before any view runs.

Rules with their own meaning (a fate from its choices, an implemented date) stay in the
domain services; what every text and number must satisfy lives here.
"""

from __future__ import annotations

import json
import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from eiphub.core import bounds


def message(code: str, **params) -> str:
    """The user's-language sentence for a bounds error code."""
    texts = {
        "control_char": _("Control characters (such as NUL) are not allowed in text."),
        "too_long": _("The text is too long (at most %(max)s characters).")
        % {"max": bounds.MAX_TEXT},
        "not_a_number": _("Enter a number."),
        "not_finite": _("Enter a finite number."),
        "out_of_range": _("The number is out of range (at most %(max)s in absolute value).")
        % {"max": f"{params.get('hi', bounds.MAX_VND):.0e}"},
        "year_out_of_range": _("The year must be between %(lo)s and %(hi)s.")
        % {"lo": bounds.MIN_YEAR, "hi": bounds.MAX_YEAR},
    }
    return texts.get(code, code)


def validate_text(value) -> None:
    """Django validator: no control characters, bounded length."""
    if isinstance(value, str):
        code = bounds.text_error(value)
        if code:
            raise ValidationError(message(code), code=code)


def validate_vnd(value) -> None:
    code = bounds.number_error(value, 0, bounds.MAX_VND)
    if code:
        raise ValidationError(message(code, hi=bounds.MAX_VND), code=code)


def validate_quantity(value) -> None:
    code = bounds.number_error(value, 0, bounds.MAX_QUANTITY)
    if code:
        raise ValidationError(message(code, hi=bounds.MAX_QUANTITY), code=code)


def first_problem(data, path: str = "") -> tuple[str, str] | None:
    """(field path, error code) of the first unstorable value in parsed JSON or form data."""
    if isinstance(data, str):
        code = bounds.text_error(data)
        return (path or "body", code) if code else None
    if isinstance(data, bool) or data is None:
        return None
    if isinstance(data, int | float):
        code = bounds.number_error(data, -bounds.MAX_VND, bounds.MAX_VND)
        return (path or "body", code) if code else None
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        if data and set(map(type, data)) <= {int, float}:  # columnar numbers: C-level checks
            try:
                if all(map(math.isfinite, data)) and (
                    -bounds.MAX_VND <= min(data) and max(data) <= bounds.MAX_VND
                ):
                    return None
            except OverflowError:
                pass  # a huge integer: the element walk below names it
        items = enumerate(data)
    else:
        return None
    for k, v in items:
        found = first_problem(v, f"{path}.{k}" if path else str(k))
        if found:
            return found
    return None


class WriteGuardMiddleware:
    """Reject a write whose body holds unstorable values, before any view runs.

    JSON bodies (the API): control characters in any string, non-finite numbers or numbers
    beyond ±1e15 anywhere -> 422 with the field path.  Form posts: control characters in
    any field -> 400 page with the message.  PostgreSQL cannot store NUL, and such values
    used to fail deep in a query or an export (issue 18).
    """

    WRITES = ("POST", "PUT", "PATCH")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in self.WRITES:
            found = self._problem(request)
            if found:
                from django.http import HttpResponseBadRequest, JsonResponse

                field, code = found
                text = message(code)
                if request.path.startswith("/api/"):
                    return JsonResponse({"field": field, "detail": text}, status=422)
                return HttpResponseBadRequest(f"{field}: {text}", content_type="text/plain")
        return self.get_response(request)

    def _problem(self, request):
        ctype = request.META.get("CONTENT_TYPE", "")
        if ctype.startswith("application/json"):
            raw = request.body
            try:
                data = json.loads(raw or b"null", parse_constant=lambda c: float(c))
            except (ValueError, UnicodeDecodeError):
                return None  # the view answers malformed JSON itself
            return first_problem(data)
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            for key, values in request.POST.lists():
                for v in values:
                    code = bounds.text_error(v)
                    if code == "control_char":
                        return (key, code)
        return None
