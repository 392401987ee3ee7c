"""Static files in production: WhiteNoise's hashed, compressed names, each URL worked out once."""

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """The manifest is read once when the process starts, so a name's URL never changes after.

    Django works each ``{% static %}`` out afresh (manifest look-up, URL
    splitting and quoting): on a portal page, five of them cost as much as a
    query's compilation.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)
            return url
