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
