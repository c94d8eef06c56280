"""views.yaml, k9s's custom columns: for a view, the columns to show in their order (``NAME``,
``NAME|W`` only with ctrl-w, ``NAME|H`` hidden) and the sort it opens with::

    views:
      v1/pods:
        sortColumn: AGE:desc
        columns: [AGE, NAMESPACE|W, NAME, IP, NODE, STATUS, READY]

The keys are what the `:` prompt takes (``v1/pods``, ``apps/v1/deployments``, ``deploy``), and
k9s's ``v1/pods@NAMESPACE`` for the view in the namespaces a regular expression finds (kept as
``pods@NAMESPACE``: ``custom_columns.pick`` chooses). What
k9py cannot do yet is one warning each and the rest of the file applies: a view with no built-in
columns (a custom resource), a column the view does not have, k9s's jq columns; the flags ``R``,
``L``, ``N`` and ``S`` are accepted and do nothing. A JSONPath column (k9s's ``NAME:.spec.x``, as
``kubectl -o custom-columns`` reads one) is a cell of its own, computed from the object (``|T``:
a time shown as its age).
"""

from __future__ import annotations

import re
from pathlib import Path

from k9py.config import yamlfile
from k9py.kube import jsonpath
from k9py.kube.regex import compile_re2
from k9py.view import custom_columns, kinds
from k9py.view.custom_columns import ColumnSpec, ViewColumns
from k9py.view.rows import printer_for

COLUMN = re.compile(r"^([\w\s%/-]+?)(?::(.*?))?(?:\|([NTWSLRH]{0,3}))?$")  # k9s's cust_col fullRX


def load(path: Path, warnings: list[str] | None = None, *, text: str | None = None) -> dict[str, ViewColumns]:
    """View name → its columns (ConfigError on a file that is no views.yaml; what k9py cannot
    show yet goes to ``warnings``)."""
    doc = yamlfile.load(path, text=text)
    top = yamlfile.mapping(doc, doc.data, "views")
    for key in top:
        if key != "views":
            raise doc.error([str(key)], "unknown field (views.yaml holds `views:`)")
    out: dict[str, ViewColumns] = {}
    for name, spec in yamlfile.mapping(doc, top.get("views"), "views").items():
        at: list[str | int] = ["views", str(name)]
        spec = yamlfile.mapping(doc, spec, at)
        for key in spec:
            if key not in ("columns", "sortColumn"):
                raise doc.error([*at, str(key)], "unknown field (known: columns, sortColumn)")
        raw = spec.get("columns") or []
        if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
            raise doc.error([*at, "columns"], "must be a list of column names")
        base, at_ns, pattern = str(name).partition("@")  # k9s: v1/pods@fred, v1/pods@kube* (a regex)
        if at_ns:
            try:  # Go's regexp, as k9s reads it (Python's could take hours on a namespace's name)
                compile_re2(pattern)
            except ValueError as err:
                doc.warn(at, f"{pattern!r} is no regular expression ({err}): not used")
                continue
        view = kinds.lookup(base)
        if view is not None and view.name == "containers":
            doc.warn(at, "the containers view keeps its columns (custom columns are not read for it yet)")
            continue
        if view is None or not view.kind or view.columns:
            doc.warn(at, "no built-in view of that name: not used (k9py reads the entries of its built-in "
                         "views, not yet a custom resource's or an alias's)")
            continue
        have = {c.name for c in printer_for(view.kind)[0]} | {"NAMESPACE"}
        columns = []
        for i, text in enumerate(raw):
            m = COLUMN.match(text.strip())
            if m is None:
                raise doc.error([*at, "columns", i], f"{text!r} is not NAME or NAME|FLAGS (W, H, R, L, T, N, S)")
            col, path_, flags = m.group(1).strip().upper(), m.group(2), m.group(3) or ""
            if path_:
                if "|" in path_:
                    doc.warn([*at, "columns", i], "a jq column: not shown (k9py reads JSONPath columns, not jq's)")
                    continue
                try:
                    path_ = custom_columns.relaxed(path_.strip())
                    jsonpath.parse(path_)
                except ValueError as err:
                    doc.warn([*at, "columns", i], f"{m.group(2)!r} is no JSONPath ({err}): not shown")
                    continue
                columns.append(ColumnSpec(m.group(1).strip(), wide="W" in flags, hidden="H" in flags, path=path_,
                                          time="T" in flags))
                continue
            if col not in have:
                doc.warn([*at, "columns", i], f"{view.name} has no column {col} (its columns: "
                                               f"{', '.join(c.name for c in printer_for(view.kind)[0])})")
                continue
            columns.append(ColumnSpec(col, wide="W" in flags, hidden="H" in flags))
        sort = None
        if (text := spec.get("sortColumn")) is not None:
            col, _, order = str(text).partition(":")
            if order not in ("asc", "desc"):
                raise doc.error([*at, "sortColumn"], f"{text!r}: must be COLUMN:asc or COLUMN:desc")
            sort = (col.strip().upper(), order == "asc")
            own = {c.name.upper(): c.name for c in columns if c.path is not None}
            if sort[0] in own:  # a JSONPath column, named as written
                sort = (own[sort[0]], sort[1])
            elif sort[0] not in have:
                doc.warn([*at, "sortColumn"], f"{view.name} has no column {sort[0]}: the view opens on its own sort")
                sort = None
        if columns or sort:
            out[view.name + at_ns + pattern] = ViewColumns(tuple(columns), sort)
    if warnings is not None:
        warnings.extend(doc.warnings)
    return out
