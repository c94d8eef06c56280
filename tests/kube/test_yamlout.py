"""A value an object holds twice (the simulator shares equal parts: copy-on-write) is written
twice in YAML, as kubectl writes it, never as an anchor and an alias."""

import yaml

from k9py.kube.yamlout import FastSafeDumper, SafeDumper
from k9py.view import yaml_text


def _shared() -> dict:
    labels = {"app": "web"}
    return {"metadata": {"labels": labels}, "spec": {"selector": {"matchLabels": labels}}}


def test_the_dumpers_repeat_shared_values():
    obj = _shared()
    assert "&id" in yaml.safe_dump(obj)  # what PyYAML does by default
    for dumper in (SafeDumper, FastSafeDumper):
        text = yaml.dump(obj, Dumper=dumper)
        assert "&id" not in text and "*id" not in text
        assert yaml.safe_load(text) == obj


def test_the_yaml_view_repeats_shared_values():
    text = yaml_text.dump(_shared())
    assert "&id" not in text and text.count("app: web") == 2
