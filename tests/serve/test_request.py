"""The request's media type, read in one place (serve/http.py's ``Request.content_type``)."""

from __future__ import annotations

import pytest

from k9py.serve.http import Request


@pytest.mark.parametrize("header,media", [
    ("application/json", "application/json"),
    ("Application/Merge-Patch+JSON; charset=utf-8", "application/merge-patch+json"),
    (" application/apply-patch+yaml ;charset=UTF-8", "application/apply-patch+yaml"),
    ("", ""),
])
def test_the_content_type_is_the_media_type_without_its_parameters(header, media):
    assert Request("PATCH", "/api/v1/namespaces", {}, {"content-type": header}).content_type == media
    assert Request("GET", "/api/v1/namespaces", {}, {}).content_type == ""
