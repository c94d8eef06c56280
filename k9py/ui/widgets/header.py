"""k9s's header: cluster info on the left, namespace favourites, the view's key menu, the logo
(or the connection's last error). Everything in it is plain Text: names are never markup."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from k9py import __version__
from k9py.explorer.navigator import Navigator
from k9py.explorer.session import Session
from k9py.ui import keymap

LOGO = [
    r" _    ___",
    r"| |__/ _ \ _ __ _  _",
    r"| / /\_, /| '_ \ || |",
    r"|_\_\ /_/ | .__/\_, |",
    r"          |_|   |__/",
]


class Header(Static):
    def __init__(self, *, logoless: bool = False, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.logoless = logoless

    def show(self, session: Session, nav: Navigator, replay: list[tuple[str, str]]) -> None:
        self.update(self.text(session, nav, self.size.width, replay))

    def text(self, session: Session, nav: Navigator, width: int, replay: list[tuple[str, str]]) -> Text:
        info = session.info()
        cur = nav.current
        state, error = session.connection(cur.cache() if cur is not None else None)
        left = [("Context:", info.context), ("Cluster:", info.cluster), ("User:", info.user),
                ("K9py Rev:", f"v{__version__}"), ("K8s Rev:", info.server_version),
                ("Backend:", f"{info.backend} ({state})" + (" [readonly]" if session.read_only else ""))]
        usage = session.cluster_usage()
        left += [("CPU:", f"{usage[0]}%" if usage else "n/a"), ("MEM:", f"{usage[1]}%" if usage else "n/a")]
        ns_hints = [("<0>", "all")] + [(f"<{i + 1}>", ns) for i, ns in enumerate(nav.favorites[:5])]
        hints: list[tuple[str, str]] = []
        if cur is not None and cur.model is not None:
            hints = keymap.menu(cur.scope.view, session.read_only, {c.name for c in cur.model.columns}, replay)
        value_w = min(32, max(22, *(len(v) for _, v in left)))  # one width for every row: nothing shifts
        rows = max(len(left), len(LOGO) if not self.logoless else 0)
        hint_cols = min(3, -(-len(hints) // rows))
        first_err = 0 if self.logoless else len(LOGO)
        room = max(12, width - (11 + value_w + 19 + 26 * hint_cols) - 3)
        err_lines = wrap(f"{state}: {error}", room, rows - first_err) if error else []
        text = Text()
        for i in range(rows):
            if i < len(left):
                value = left[i][1] if len(left[i][1]) <= value_w else left[i][1][:value_w - 1] + "…"
                text.append(f" {left[i][0]:<10}", style="#ffa500")
                text.append(f"{value:<{value_w}}", style="bold white")
            else:
                text.append(" " * (11 + value_w))
            cell = ns_hints[i] if i < len(ns_hints) else None
            text.append(f"{cell[0]:<5}" if cell else " " * 5, style="#ff00ff")
            text.append(f"{cell[1]:<14}" if cell else " " * 14, style="white")
            for col in range(i, i + hint_cols * rows, rows):
                h = hints[col] if col < len(hints) else None
                text.append(f"{h[0]:<11}" if h else " " * 11, style="#1e90ff")
                text.append(f"{h[1]:<15}" if h else " " * 15, style="white")
            if not self.logoless and i < len(LOGO):
                text.append(f"  {LOGO[i]}", style="#ffa500")
            elif err_lines and first_err <= i < first_err + len(err_lines):
                text.append(f"  {err_lines[i - first_err]}", style="#ff4500")
            if i < rows - 1:
                text.append("\n")
        return text


def wrap(text: str, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of ``width`` cells, the last one cut with "…"."""
    out: list[str] = []
    rest = text
    while rest and len(out) < lines:
        if len(rest) <= width:
            out.append(rest)
            break
        if len(out) == lines - 1:
            out.append(rest[:width - 1] + "…")
            break
        cut = rest.rfind(" ", 0, width + 1)
        cut = cut if cut > 0 else width
        out.append(rest[:cut])
        rest = rest[cut:].lstrip()
    return out
