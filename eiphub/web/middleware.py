from django.conf import settings


class DefaultLanguageMiddleware:
    """Vietnamese by default: ignore the browser's Accept-Language header.

    The language is the one the user chose (the language cookie set by the
    VI/EN switch) or settings.LANGUAGE_CODE.  Runs before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RejectNulMiddleware:
    """Answer 400 to any request whose path or query carries a NUL character.

    PostgreSQL text cannot hold NUL, so such a value would otherwise turn into a
    server error deep in a query (found by schemathesis on the API).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            from django.http import HttpResponseBadRequest, JsonResponse

            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "NUL characters are not allowed."}, status=400)
            return HttpResponseBadRequest("NUL characters are not allowed.")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy with a fresh script nonce per request.

    Scripts run only from this origin or when they carry the request's nonce
    (``{{ csp_nonce }}`` in templates, from the ``eiphub.web.context.csp``
    context processor); inline event handlers never run.  Styles allow inline
    attributes because ECharts and Leaflet position their overlays with them;
    a style cannot execute script.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import secrets

        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = csp_header(request.csp_nonce)
        return response


def csp_header(nonce):
    """The policy sent with every response (one home for its directives)."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "script-src-attr 'none'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class WriteTransactionMiddleware:
    """One transaction per write request: a view that raises writes nothing (issue 18).

    This replaces ``ATOMIC_REQUESTS``, which also wrapped every read in BEGIN/COMMIT
    (issue 9).  Views marked ``transaction.non_atomic_requests`` are left alone.  It must be
    the last middleware, so that only the view runs inside the transaction, as with
    ``ATOMIC_REQUESTS``."""

    SAFE = ("GET", "HEAD", "OPTIONS", "TRACE")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        from django.db import DEFAULT_DB_ALIAS, transaction

        if request.method in self.SAFE:
            return None
        if DEFAULT_DB_ALIAS in getattr(view, "_non_atomic_requests", set()):
            return None
        with transaction.atomic():
            return view(request, *args, **kwargs)
