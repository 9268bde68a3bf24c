from django.conf import settings


def parcours(request):
    return {
        "STATE_BRANDING": settings.PARCOURS_STATE_BRANDING,
        "SITE_TITLE": settings.PARCOURS_SITE_TITLE,
        "membership": getattr(request, "membership", None),
    }
