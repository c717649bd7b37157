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
