"""Named pane layouts (`:layout save NAME`, `:layout NAME`): ``layouts.yaml`` in the config dir.

A layout is a list of tabs; a tab is a node: an explorer pane ``{view: COMMAND}`` (what `:`
would run in it), a log pane ``{logs: cursor}`` (following the cursor of the explorer pane before
it, or with ``follows: N`` the tab's Nth explorer pane, from 0), or a split
``{split: h|v, panes: [node, ...]}`` (``h``: side by side). The file::

    layouts:
      pods-logs:
        - split: v
          panes: [{view: pods default}, {logs: cursor}]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from k9py.config import locations, yamlfile
from k9py.config.context_state import write_atomic
from k9py.config.schema import unknown_key
from k9py.config.yamlfile import ConfigDoc, ConfigError

Node = dict[str, Any]
MAX_DEPTH = 6  # splits inside splits
MAX_PANES = 16  # per tab: a hand-written file cannot ask for thousands
MAX_TABS = 9


def path() -> Path:
    return locations.config_dir() / "layouts.yaml"


def load(file: Path | None = None) -> dict[str, list[Node]]:
    """Every saved layout by name (no file: none). ConfigError ``FILE:LINE: ...`` on a wrong one."""
    file = file or path()
    if not yamlfile.present(file):  # a directory or a broken link is the file's error, not no file
        return {}
    doc = yamlfile.load(file)
    top = yamlfile.mapping(doc, doc.data, [])
    unknown = [k for k in top if k != "layouts"]
    if unknown:
        raise doc.error([str(unknown[0])], unknown_key(str(unknown[0]), ["layouts"]) +
                        ": the file holds one `layouts:` mapping")
    out: dict[str, list[Node]] = {}
    for name, tabs in yamlfile.mapping(doc, top.get("layouts"), ["layouts"]).items():
        where: list[str | int] = ["layouts", str(name)]
        if not isinstance(tabs, list) or not tabs:
            raise doc.error(where, "must be a list of tabs")
        if len(tabs) > MAX_TABS:
            raise doc.error(where, f"at most {MAX_TABS} tabs")
        out[str(name)] = [_node(doc, tab, [*where, i], 0, [0]) for i, tab in enumerate(tabs)]
        for i, tab in enumerate(out[str(name)]):
            if not views(tab):
                raise doc.error([*where, i], "a tab needs a {view: COMMAND} pane (log panes follow one)")
    return out


def views(node: Node) -> int:
    """How many explorer panes a layout's tab has."""
    return sum(map(views, node["panes"])) if "split" in node else int("view" in node)


FORMS = (("split", "panes"), ("view",), ("logs", "follows"))  # a node's keys, by the key that says its form


def _node(doc: ConfigDoc, value: Any, where: list[str | int], depth: int, count: list[int]) -> Node:
    node = yamlfile.mapping(doc, value, where)
    form = next((keys for keys in FORMS if keys[0] in node), None)
    for key in node:  # a misspelt or misplaced key is named, not ignored
        if form is not None and key not in form:
            raise doc.error([*where, str(key)], unknown_key(str(key), list(form)))
    if "split" in node:
        if node["split"] not in ("h", "v"):
            raise doc.error([*where, "split"], "must be h (side by side) or v (stacked)")
        panes = node.get("panes")
        if not isinstance(panes, list) or not panes:
            raise doc.error([*where, "panes"], "must be a list of panes")
        if depth >= MAX_DEPTH:
            raise doc.error(where, f"splits nest at most {MAX_DEPTH} deep")
        return {"split": node["split"], "panes": [_node(doc, p, [*where, "panes", i], depth + 1, count)
                                                  for i, p in enumerate(panes)]}
    count[0] += 1
    if count[0] > MAX_PANES:
        raise doc.error(where, f"at most {MAX_PANES} panes a tab")
    if "view" in node:
        if not isinstance(node["view"], str) or not node["view"].strip():
            raise doc.error([*where, "view"], "must be a command, as typed after `:`")
        return {"view": node["view"].strip()}
    if node.get("logs") == "cursor":
        follows = node.get("follows")
        if follows is None:
            return {"logs": "cursor"}
        if not isinstance(follows, int) or isinstance(follows, bool) or not 0 <= follows < MAX_PANES:
            raise doc.error([*where, "follows"], "must be the index of an explorer pane of the tab (0: the first)")
        return {"logs": "cursor", "follows": follows}
    raise doc.error(where, "must be {view: COMMAND}, {logs: cursor} or {split: h|v, panes: [...]}")


def save(name: str, tabs: list[Node], file: Path | None = None) -> Path:
    """Add or replace layout ``name``; the others stay. OSError when the file cannot be written;
    ConfigError when the file there is wrong (it is not overwritten)."""
    file = file or path()
    layouts = load(file)
    layouts[name] = tabs
    file.parent.mkdir(parents=True, exist_ok=True)
    text = "# k9py's saved pane layouts (`:layout save NAME`, `:layout NAME`). Safe to edit.\n"
    text += yaml.safe_dump({"layouts": layouts}, sort_keys=False, default_flow_style=False)
    write_atomic(file, text)
    return file


__all__ = ["ConfigError", "Node", "load", "path", "save", "views"]
