"""A map's key with dots or a slash in it is one key: Go's decoder names the map's field."""

from __future__ import annotations

from k9py.serve.go_types import unmarshal_error, value_and_go_type


def test_a_dotted_or_slashed_key_is_found_whole() -> None:
    ann = {"metadata": {"name": "x", "annotations": {"prometheus.io": "a", "prometheus.io/scrape": True}}}
    assert unmarshal_error("", "v1", "ConfigMap", "metadata.annotations.prometheus.io/scrape", ann) == (
        "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.annotations of type string")
    assert unmarshal_error("", "v1", "Secret", "data..dockerconfigjson", {"data": {".dockerconfigjson": "admin"}}) == (
        "illegal base64 data at input byte 4")
    limits = {"spec": {"containers": [{"name": "c", "resources": {"limits": {"nvidia.com/gpu": "1MB"}}}]}}
    assert unmarshal_error("", "v1", "Pod", "spec.containers[0].resources.limits.nvidia.com/gpu", limits) == (
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    assert value_and_go_type("", "v1", "ConfigMap", "data.app.port", {"data": {"app.port": 8080}}) == (
        8080, "string")


def test_a_key_the_map_does_not_hold_is_none() -> None:
    assert unmarshal_error("", "v1", "ConfigMap", "data.app.port", {"data": {"app": 8080}}) is None
