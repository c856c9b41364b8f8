"""The API's JSON renderer: orjson for speed, and never a failure on text that cannot be encoded as UTF-8."""

import copy

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Datetimes, decimals and lazy texts go to DRF's encoder, so that they read exactly as DRF writes them.
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
# JSON allows these two characters raw, JavaScript strings did not: DRF escapes them, and so does this.
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class DirectoryJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, encoding with orjson, and falling back to ASCII escapes when the data holds lone surrogates.

    A page of 20 results is about 28 KB: orjson writes it in a fraction of the standard library's time. Indented
    output (the browsable API, `; indent=` in Accept) takes DRF's path. Validation messages echo what the client
    sent; a lone surrogate ("\\ud800") in it cannot be encoded as UTF-8, and DRF's renderer would raise (a 500).
    Escaped as \\ud800 it is valid JSON.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        """Render with orjson, or as DRF does when indented; on an encoding failure with every non-ASCII character
        escaped."""
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}) is None and not self.ensure_ascii:
            try:
                rendered = orjson.dumps(data, default=_ENCODER.default, option=_ORJSON_OPTIONS)
            except orjson.JSONEncodeError:
                pass  # a lone surrogate, or a type only the standard library's encoder takes: DRF's path tells
            else:
                for raw, escaped in _LINE_SEPARATORS:
                    if raw in rendered:
                        rendered = rendered.replace(raw, escaped)
                return rendered
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            # A copy: the renderer instance may be shared (the sync view keeps one for its errors).
            escaping = copy.copy(self)
            escaping.ensure_ascii = True
            return JSONRenderer.render(escaping, data, accepted_media_type, renderer_context)


_ENCODER = JSONEncoder()
