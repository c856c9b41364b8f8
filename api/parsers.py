"""The API's JSON parser: refuses bodies that Python's json module accepts but the rest of the stack cannot handle."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from api.renderers import DirectoryJSONRenderer

# Far deeper than any request the API takes, far shallower than the interpreter's recursion limit: serializers,
# deep copies and error renderers recurse over the data, so a body nested deeper than this is refused up front.
MAX_JSON_DEPTH = 64
TOO_DEEP = "JSON nested too deeply."
LONE_SURROGATE = "JSON parse error - a string holds a lone surrogate (\\ud800-\\udfff), which is not valid Unicode."


def _first_problem(data) -> str | None:
    """Why the parsed body is refused (too deep, or a string that is not valid Unicode), or None when it is fine."""
    # An explicit stack, not recursion: the point is not to depend on the recursion limit.
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _has_lone_surrogate(value):
                return LONE_SURROGATE
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                return TOO_DEEP
            if isinstance(value, dict):
                pending.extend((key, depth) for key in value)
                pending.extend((item, depth + 1) for item in value.values())
            else:
                pending.extend((item, depth + 1) for item in value)
    return None


def _has_lone_surrogate(text: str) -> bool:
    """True when the text cannot be encoded as UTF-8 (json decodes "\\ud800" to a lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class DirectoryJSONParser(JSONParser):
    """JSON bodies; a 400 (not a 500) for ones nested too deeply or holding lone surrogates."""

    renderer_class = DirectoryJSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        """Parse the body as JSON, then refuse what would break validation or rendering later."""
        try:
            data = super().parse(stream, media_type=media_type, parser_context=parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        problem = _first_problem(data)
        if problem:
            raise ParseError(problem)
        return data
