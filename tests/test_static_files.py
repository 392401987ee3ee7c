"""Production static files: hashed names from the manifest, each URL worked out once per process."""

import json
from unittest import mock

from whitenoise.storage import CompressedManifestStaticFilesStorage

from asm_portal.static_files import StaticFilesStorage


def storage_with_manifest(tmp_path) -> StaticFilesStorage:
    manifest = {"version": "1.1", "paths": {"portal.css": "portal.3b1f0c.css"}, "hash": "3b1f0c"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticFilesStorage(location=tmp_path, base_url="/static/")


def test_a_url_is_the_hashed_name_from_the_manifest(tmp_path):
    assert storage_with_manifest(tmp_path).url("portal.css") == "/static/portal.3b1f0c.css"


def test_each_name_is_looked_up_once(tmp_path):
    storage = storage_with_manifest(tmp_path)
    with mock.patch.object(
        CompressedManifestStaticFilesStorage, "url", autospec=True, return_value="/static/x.css"
    ) as looked_up:
        urls = {storage.url("portal.css") for _page in range(3)}
    assert urls == {"/static/x.css"}
    assert looked_up.call_count == 1
