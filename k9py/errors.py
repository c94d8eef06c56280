"""The one error class for what a user did wrong (bad file, bad field, bad request)."""

from __future__ import annotations


class K9pyError(Exception):
    """A user-facing error with optional file / line / field context.

    ``str(err)`` is the one-line message the CLI prints and the UI flashes, e.g.
    ``scenarios/demo.yaml:12: document 3 (Deployment web): spec.replicas: must be an integer``.
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None, document: str | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.document = document
        super().__init__(self.format())

    def format(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        doc = f"{self.document}: " if self.document else ""
        field = f"{self.field}: " if self.field else ""
        return f"{where}{doc}{field}{self.message}"
