"""Context every page of the shell needs."""

from django.conf import settings
from django.utils.translation import get_language, get_language_bidi, get_language_info

from . import navigation


def shell(request):
    """Return the menu, the language switch and the page direction for the base layout."""
    language = get_language() or settings.LANGUAGE_CODE
    user = getattr(request, "user", None)
    items = navigation.items_for(user) if user is not None else []
    return {
        "nav_main": [item for item in items if item.section == "main"],
        "nav_admin": [item for item in items if item.section == "admin"],
        "page_direction": "rtl" if get_language_bidi() else "ltr",
        "page_language": language,
        "other_languages": [
            (code, get_language_info(code)["name_local"])
            for code, _name in settings.LANGUAGES
            if code != language
        ],
        "nav_active": {item.key for item in items if item.is_active(request)},
    }
