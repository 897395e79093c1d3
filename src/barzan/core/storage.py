"""Static file storage: hashed, compressed names once `collectstatic` has run."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Use the manifest when there is one, and plain names before `collectstatic` has run.

    Tests and the development server serve files through the finders, where no manifest
    exists; `barzan demo` and `barzan serve` always collect first.
    """

    # Source maps and fonts referenced from vendor CSS need not all be present.
    manifest_strict = False

    def stored_name(self, name):
        if not self.hashed_files:
            return name
        return super().stored_name(name)
