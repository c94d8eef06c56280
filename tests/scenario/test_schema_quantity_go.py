"""The manifest check reads a quantity as the apiserver's decoder does (one parser): what Go
takes as zero ("Mi", ".") is taken; what Go refuses is refused in its words."""

from __future__ import annotations

import pytest

from k9py.kube import quantity
from k9py.scenario import schema


def _pod(memory: object) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "busybox", "resources": {"limits": {"memory": memory}}}]}}


@pytest.mark.parametrize("value", ["Mi", ".", "+", "M", "128Mi", "0.5"])
def test_what_go_takes_is_taken(value: str) -> None:
    schema.check_object(_pod(value))


@pytest.mark.parametrize("value", ["Mi", ".", "+", "M", "-.", "m"])
def test_what_go_takes_as_zero_parses_as_zero(value: str) -> None:
    assert quantity.go_error(value) is None
    assert quantity.parse(value) == 0


@pytest.mark.parametrize(("value", "words"), [("128MB", quantity.ERR_FORMAT), ("1e3Mi", quantity.ERR_FORMAT),
                                              ("192i", quantity.ERR_SUFFIX)])
def test_what_go_refuses_is_refused_in_its_words(value: str, words: str) -> None:
    with pytest.raises(schema.FieldError) as e:
        schema.check_object(_pod(value))
    assert (e.value.field, e.value.message) == ("spec.containers[0].resources.limits.memory",
                                                f'Invalid value: "{value}": {words}')
