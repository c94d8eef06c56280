"""YAML written as kubectl writes it: a value held twice is written twice, never as an
``&id001`` anchor and ``*id001`` alias. The simulator's objects share equal parts (between the
versions of an object, between replicas, with their template: copy-on-write), so one object may
hold the same dict or list at two places, where PyYAML's dumpers would write an alias; and
events dumped one at a time into one document would repeat anchor names."""

from __future__ import annotations

from typing import Any

import yaml


class SafeDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


class FastSafeDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """``SafeDumper`` on libyaml when PyYAML has it."""

    def ignore_aliases(self, data: Any) -> bool:
        return True
