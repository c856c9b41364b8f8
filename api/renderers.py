"""The API's JSON renderer: never fails on text that cannot be encoded as UTF-8."""

import copy

from rest_framework.renderers import JSONRenderer


class DirectoryJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, falling back to ASCII escapes when the data holds lone surrogates.

    Validation messages echo what the client sent; a lone surrogate ("\\ud800") in it cannot be encoded as
    UTF-8, and DRF's renderer would raise (a 500). Escaped as \\ud800 it is valid JSON.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        """Render as DRF does; on an encoding failure render again with every non-ASCII character escaped."""
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            # A copy: the renderer instance may be shared (the sync view keeps one for its errors).
            escaping = copy.copy(self)
            escaping.ensure_ascii = True
            return JSONRenderer.render(escaping, data, accepted_media_type, renderer_context)
