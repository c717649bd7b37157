from django.conf import settings


def navigation(request):
    """Template context shared by every page: languages and the user's role."""
    profile = getattr(getattr(request, "user", None), "profile", None)
    return {
        "LANGUAGES_AVAILABLE": settings.LANGUAGES,
        "user_role": getattr(profile, "role", "public") if profile else "public",
    }
