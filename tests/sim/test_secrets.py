"""Secrets through the apiserver door (``Cluster.create/replace``): stringData merged into data and
never stored, type defaulted and immutable, the keys typed Secrets need, `immutable: true`."""

from __future__ import annotations

import base64

import pytest

from k9py.kube.status import ApiError
from k9py.sim.cluster import Cluster


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def secret(name: str, **fields) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "default"}, **fields}


def test_string_data_is_merged_and_wins():
    c = Cluster()
    out = c.create(secret("s", data={"a": b64("old"), "b": b64("keep")}, stringData={"a": "new", "c": "ü"}))
    assert out["data"] == {"a": b64("new"), "b": b64("keep"), "c": b64("ü")}
    assert out["type"] == "Opaque" and "stringData" not in out
    assert c.get("Secret", "default", "s") == out


def test_dry_run_merges_too_and_stores_nothing():
    c = Cluster()
    out = c.create(secret("d", stringData={"x": "y"}), dry_run=True)
    assert out["data"] == {"x": b64("y")} and out["type"] == "Opaque"
    assert c.store.get("Secret", "default", "d") is None


def test_replace_merges_string_data():
    c = Cluster()
    c.create(secret("s", stringData={"a": "1"}))
    out = c.replace(secret("s", data={"b": b64("2")}, stringData={"a": "3"}))  # no type: Opaque again
    assert out["data"] == {"a": b64("3"), "b": b64("2")} and out["type"] == "Opaque" and "stringData" not in out
    c.create(secret("t", type="example.com/t", stringData={"a": "1"}))
    with pytest.raises(ApiError) as e:  # no type on a typed Secret: defaulted to Opaque, then refused
        c.replace(secret("t", stringData={"a": "2"}))
    assert 'type: Invalid value: "Opaque": field is immutable' in e.value.message


def test_type_is_immutable():
    c = Cluster()
    c.create(secret("s", stringData={"a": "1"}))
    with pytest.raises(ApiError) as e:
        c.replace(secret("s", type="kubernetes.io/basic-auth", stringData={"username": "u"}))
    assert e.value.code == 422
    assert 'type: Invalid value: "kubernetes.io/basic-auth": field is immutable' in e.value.message


def test_typed_secrets_need_their_keys():
    c = Cluster()
    with pytest.raises(ApiError) as e:
        c.create(secret("tls", type="kubernetes.io/tls", stringData={"tls.crt": "x"}))
    assert e.value.code == 422 and "data[tls.key]: Required value" in e.value.message
    with pytest.raises(ApiError) as e:
        c.create(secret("bad", data={"no/slash": b64("x")}))
    assert "a valid config key must consist of alphanumeric characters" in e.value.message
    ok = c.create(secret("tls2", type="kubernetes.io/tls", stringData={"tls.crt": "c", "tls.key": "k"}))
    assert sorted(ok["data"]) == ["tls.crt", "tls.key"]


def test_immutable_secret_refuses_data_changes():
    c = Cluster()
    c.create(secret("frozen", immutable=True, stringData={"a": "1"}))
    with pytest.raises(ApiError) as e:
        c.replace(secret("frozen", immutable=True, stringData={"a": "2"}))
    assert "data: Forbidden: field is immutable when `immutable` is set" in e.value.message
    same = c.replace(secret("frozen", immutable=True, stringData={"a": "1"}))
    assert same["data"] == {"a": b64("1")}


def configmap(name: str, **fields) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, **fields}


def test_configmap_keys_are_validated_as_the_apiservers():
    c = Cluster()
    with pytest.raises(ApiError) as e:
        c.create(configmap("k", data={"a b": "x"}))
    assert e.value.code == 422
    assert e.value.message.startswith('ConfigMap "k" is invalid: data[a b]: Invalid value: "a b": a valid config key must consist')
    with pytest.raises(ApiError) as e:
        c.create(configmap("k", binaryData={"..x": b64("1")}))
    assert e.value.message == 'ConfigMap "k" is invalid: binaryData[..x]: Invalid value: "..x": must not start with \'..\''
    with pytest.raises(ApiError) as e:
        c.create(configmap("k", data={"a": "1"}, binaryData={"a": b64("1")}))
    assert 'data[a]: Invalid value: "a": duplicate of key present in binaryData' in e.value.message
    assert c.store.get("ConfigMap", "default", "k") is None
    c.create(configmap("k", data={"a.b_C-1": "x"}))


def test_an_immutable_configmap_keeps_its_data():
    c = Cluster()
    c.create(configmap("imm", immutable=True, data={"a": "1"}))
    with pytest.raises(ApiError) as e:
        c.replace(configmap("imm", immutable=True, data={"a": "2"}))
    assert e.value.message == 'ConfigMap "imm" is invalid: data: Forbidden: field is immutable when `immutable` is set'
    with pytest.raises(ApiError) as e:
        c.replace(configmap("imm", data={"a": "1"}))
    assert "immutable: Forbidden: field is immutable when `immutable` is set" in e.value.message
    assert c.get("ConfigMap", "default", "imm")["data"] == {"a": "1"}
    labelled = configmap("imm", immutable=True, data={"a": "1"})
    labelled["metadata"]["labels"] = {"x": "y"}
    c.replace(labelled)  # metadata may still change
