"""aliases.yaml, k9s's format: each alias is a command the `:` prompt accepts, usually a view by
its group/version/resource, possibly with a namespace, labels and a /filter, or another alias::

    aliases:
      pp: v1/pods
      crb: rbac.authorization.k8s.io/v1/clusterrolebindings
      fred: pod fred app=blee      # pods in namespace fred labelled app=blee
      fb: fred /web                # another alias, then a filter

User aliases shadow the built-in ones (as in k9s: ``dp: statefulsets`` makes `:dp` open
statefulsets). k9s before 0.30 called the top key ``alias``; both are read."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from k9py.config import yamlfile
from k9py.kube import resources
from k9py.view import kinds

TOP_KEYS = ("aliases", "alias")


class AliasError(ValueError):
    """An alias that cannot be expanded (it leads back to itself)."""


def load(path: Path, *, text: str | None = None) -> dict[str, str]:
    """alias → its command, as written; ConfigError (``FILE:LINE: aliases.NAME: ...``) on the
    first problem: not a mapping, an empty value, a command that names no view, a cycle."""
    doc = yamlfile.load(path, text=text)
    top = yamlfile.mapping(doc, doc.data, [])
    for name in top:
        if name not in TOP_KEYS:
            raise doc.error([str(name)], "unknown key (the file holds one mapping, aliases: {alias: command})")
    key = next((k for k in TOP_KEYS if k in top), "aliases")
    entries = yamlfile.mapping(doc, top.get(key), key)
    out: dict[str, str] = {}
    for name, value in entries.items():
        where: list[str | int] = [key, name]
        word = str(name).strip().lower()
        if not word or any(c.isspace() for c in word):
            raise doc.error(where, "an alias is one word")
        if not isinstance(value, str):
            raise doc.error(where, f"must be a command (a string), not {yamlfile.type_name(value)}")
        if not value.strip():
            raise doc.error(where, "empty command")
        out[word] = value.strip()
    for word in out:
        try:
            problem = check_command(word, out)
        except AliasError as err:
            raise doc.error([key, _written(entries, word)], str(err)) from None
        if problem:
            raise doc.error([key, _written(entries, word)], problem)
    return out


def _written(entries: Mapping[Any, Any], word: str) -> str:
    """The alias as the file spells it (its line is looked up by that name)."""
    return next(str(k) for k in entries if str(k).strip().lower() == word)


def resolve(text: str, aliases: Mapping[str, str]) -> str:
    """``text`` with its first word expanded through the user's aliases, again and again (the
    value's own arguments first, then those typed after the alias). An alias whose command starts
    with its own name means the built-in one (``po: po all``); AliasError on a real cycle."""
    words = text.strip().lstrip(":").split()
    if not words:
        return text
    chain: list[str] = []
    while True:
        head = words[0].lower()
        if head not in aliases:
            break
        if head in chain:
            if _builtin(head):
                break
            raise AliasError("alias cycle: " + " -> ".join([*chain, head]))
        chain.append(head)
        words = aliases[head].split() + words[1:]
    return " ".join(words) if chain else text


def _builtin(word: str) -> bool:
    return kinds.lookup(word) is not None or word in kinds.REQUESTS or word in kinds.QUIT


def check_command(text: str, aliases: Mapping[str, str] | None = None) -> str | None:
    """What is wrong with ``text`` as a `:` command (None: nothing known to be): its first word,
    after ``aliases``, must name a view, a qualified custom resource (``RESOURCE.GROUP`` or
    ``GROUP/VERSION/RESOURCE`` outside the built-in groups: discovery finds those on the cluster),
    or one of the prompt's own commands (xray, pulses, help, ...). AliasError on a cycle."""
    words = resolve(text, aliases or {}).split()
    if not words:
        return "empty command"
    head = words[0].lower()
    if _builtin(head) or _custom(head) or _api_resource(head):
        return None
    return (f"`{words[0]}` names no view (a custom resource is written RESOURCE.GROUP or "
            "GROUP/VERSION/RESOURCE)")


def _api_resource(word: str) -> bool:
    """A resource of Kubernetes's own API with no view of its own (``pdb``, ``networkpolicies``,
    ``policy/v1/poddisruptionbudgets``): the prompt opens it as discovery serves it, as k9s does."""
    if "/" not in word:
        return resources.lookup(word) is not None
    parts = word.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        return False
    group, version, name = ("", *parts) if len(parts) == 2 else parts
    found = resources.lookup(f"{name}.{group}" if group else name)
    if found is None or found.group != group:
        return False
    served = [r for r in (*resources.RESOURCES, *resources.ALTERNATE_VERSIONS) if r.kind == found.kind and r.group == group]
    return any(r.version == version for r in served)


def _custom(word: str) -> bool:
    """A qualified name in a group no built-in view has (a CRD's: the cluster will tell)."""
    builtin_groups = {kinds.group_of(v) for v in kinds.VIEWS if v.kind}
    if "/" in word:
        parts = word.split("/")
        return len(parts) == 3 and all(parts) and parts[0] not in builtin_groups
    if "." in word:
        name, group = word.split(".", 1)
        return bool(name) and bool(group) and group not in builtin_groups
    return False

