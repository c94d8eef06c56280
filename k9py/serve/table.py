"""Server-side Tables (meta.k8s.io/v1 Table), as the apiserver answers ``Accept: …;as=Table``.

Columns and cells come from ``k9py.view.printers``, the one printers module the UI uses too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from k9py.kube.resources import PrinterColumn
from k9py.view import printers

Obj = dict[str, Any]


def partial_metadata(obj: Obj) -> Obj:
    """``PartialObjectMetadata`` (what ``as=PartialObjectMetadata`` and table rows carry)."""
    return printers.partial_object_metadata(obj)


def table(kind: str, objs: list[Obj], now: float, *, include_object: str = "Metadata",
          resource_version: str = "", continue_token: str = "", remaining: int | None = None,
          no_headers: bool = False, printer_columns: Sequence[PrinterColumn] = ()) -> Obj:
    """``printer_columns``: a custom resource's (``ApiResource.printer_columns``)."""
    if include_object not in ("Metadata", "Object", "None"):
        include_object = "Metadata"
    return printers.table(kind, objs, now, include_object=include_object, resource_version=resource_version,
                          continue_token=continue_token or None, remaining_item_count=remaining,
                          no_headers=no_headers, printer_columns=printer_columns)
