"""Static files in production: hashed names, gzip and Brotli copies (WhiteNoise), ES module imports included."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, also rewriting `import ... from "./x.js"` to the hashed name.

    Without it a module would load its imports by their plain names, which browsers cache only briefly and
    which the service worker's shell (it keeps the hashed files) would not hold offline.
    """

    support_js_module_import_aggregation = True
