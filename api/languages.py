"""Which language a reader wants listings in: `lang=`, else the Accept-Language header, else each listing's own."""

from django.conf import settings
from django.utils.translation.trans_real import parse_accept_lang_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

# Tags that browsers and phones send for a supported language under another code.
ALIASES = {"fil": "tl", "zsm": "ms", "bur": "my", "mya": "my", "khm": "km", "lao": "lo", "tha": "th", "vie": "vi"}

LANG_PARAMETER = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=list(settings.LISTING_LANGUAGES),
    description="Language of the listings' texts (ISO 639-1), overriding Accept-Language: services' texts, phone "
    "descriptions, place names and the `labels` of the codes in results; Django's and DRF's own messages (errors) "
    "follow it too, where their catalogs translate them. A text with no translation into it comes in the "
    "listing's own language; `text_languages` tells which language the texts came in.",
)


def message_language(language: str | None) -> str:
    """The Django language (settings.LANGUAGES) whose catalogs translate messages for a listing language."""
    if language is None:
        return settings.LANGUAGE_CODE
    return settings.MESSAGE_LANGUAGES.get(language, language)


def requested_language(request, value=None) -> str | None:
    """`lang` if given (400 if unsupported); else the best supported Accept-Language; else None."""
    if value is not None:  # given, even empty: it must name a language
        if value not in settings.LISTING_LANGUAGES:
            raise ValidationError(
                {"lang": [f"Unsupported language. Use one of: {', '.join(settings.LISTING_LANGUAGES)}."]}
            )
        return value
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")[:500] if request is not None else ""
    for tag, quality in parse_accept_lang_header(header):
        if quality <= 0:
            continue
        primary = tag.split("-")[0].lower()
        primary = ALIASES.get(primary, primary)
        if primary in settings.LISTING_LANGUAGES:
            return primary
    return None
