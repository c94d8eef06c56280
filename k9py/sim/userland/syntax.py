"""The shell's grammar: words and operators (``;`` ``&&`` ``||`` ``|`` ``&`` redirections) into
lists of pipelines of simple commands. Words keep their quotes; expansion happens when they run."""

from __future__ import annotations

from dataclasses import dataclass, field

from k9py.kube.unicode import digits

OPERATORS = ("&&", "||", ";;", ";", "|", "&", "\n")
REDIRECTS = (">>", ">&", "<&", ">|", ">", "<")


class ShellSyntaxError(Exception):
    """``sh: syntax error: ...``."""


class Incomplete(ShellSyntaxError):
    """The text ends inside a quote or after ``&&``/``|``: an interactive shell asks for more (PS2)."""


Script = list["AndOr"]
KEYWORDS = frozenset({"do", "done", "then", "else", "elif", "fi", "esac", "in"})


@dataclass
class Redirect:
    fd: int
    op: str          # > >> < >& <&
    target: str      # a raw word (or a fd number for >&)


@dataclass
class Command:
    assigns: list[tuple[str, str]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class ForLoop:
    """``for NAME in WORDS; do BODY; done``."""

    name: str
    words: list[str]
    body: Script


@dataclass
class WhileLoop:
    """``while COND; do BODY; done`` (``until``: while COND fails)."""

    cond: Script
    body: Script
    until: bool = False


@dataclass
class IfCommand:
    """``if C; then B; elif C; then B; else B; fi``."""

    branches: list[tuple[Script, Script]]
    otherwise: Script | None = None


@dataclass
class Pipeline:
    commands: list[Command | ForLoop | WhileLoop | IfCommand]
    negate: bool = False


@dataclass
class AndOr:
    first: Pipeline
    rest: list[tuple[str, Pipeline]] = field(default_factory=list)
    background: bool = False




def _scan_word(text: str, i: int) -> int:
    """The end of the word starting at ``i`` (quotes, escapes and ``$(...)`` kept whole)."""
    n = len(text)
    while i < n:
        c = text[i]
        if c in " \t\n;&|<>()":
            return i
        if c == "\\":
            if i + 1 >= n:
                raise Incomplete("backslash at end")
            i += 2
        elif c == "'":
            j = text.find("'", i + 1)
            if j < 0:
                raise Incomplete("unterminated quoted string")
            i = j + 1
        elif c == '"':
            i = _scan_double(text, i + 1)
        elif c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise Incomplete("unterminated quoted string")
            i = j + 1
        elif c == "$" and text.startswith("$(", i):
            i = _scan_parens(text, i + 2)
        elif c == "$" and text.startswith("${", i):
            j = text.find("}", i)
            if j < 0:
                raise ShellSyntaxError("bad substitution")
            i = j + 1
        else:
            i += 1
    return i


def _scan_double(text: str, i: int) -> int:
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
        elif c == '"':
            return i + 1
        elif text.startswith("$(", i):
            i = _scan_parens(text, i + 2)
        else:
            i += 1
    raise Incomplete("unterminated quoted string")


def _scan_parens(text: str, i: int) -> int:
    """The index after the ``)`` closing a ``$(`` (or ``$((``) opened before ``i``."""
    depth = 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            j = text.find("'", i + 1)
            if j < 0:
                raise Incomplete("unterminated quoted string")
            i = j + 1
            continue
        if c == '"':
            i = _scan_double(text, i + 1)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise Incomplete("unterminated $(")


def tokens(text: str) -> list[tuple[str, str]]:
    """``[("word", raw) | ("op", op) | ("redir", "2>") ...]``."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r":
            i += 1
            continue
        if c == "\\" and text.startswith("\\\n", i):
            i += 2
            continue
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if digits(c):
            j = i
            while j < n and digits(text[j]):
                j += 1
            if j < n and text[j] in "<>":
                op = next(r for r in REDIRECTS if text.startswith(r, j))
                out.append(("redir", text[i:j] + op))
                i = j + len(op)
                continue
        if c in "<>":
            op = next(r for r in REDIRECTS if text.startswith(r, i))
            out.append(("redir", op))
            i += len(op)
            continue
        if c in "()":
            raise ShellSyntaxError(f'unexpected "{c}"')
        found = next((o for o in OPERATORS if text.startswith(o, i)), None)
        if found is not None:
            out.append(("op", found))
            i += len(found)
            continue
        j = _scan_word(text, i)
        out.append(("word", text[i:j]))
        i = j
    return out


def _is_assign(word: str) -> bool:
    name, eq, _ = word.partition("=")
    return bool(eq) and name.replace("_", "a").isalnum() and not name[0].isdigit()


def parse(text: str) -> Script:
    """Parse a script; ``Incomplete`` when it needs more lines, ``ShellSyntaxError`` when wrong."""
    return _Parser(tokens(text)).script()


class _Parser:
    def __init__(self, toks: list[tuple[str, str]]) -> None:
        self.toks = toks
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def at_word(self, *words: str) -> bool:
        t = self.peek()
        return t is not None and t[0] == "word" and t[1] in words

    def expect(self, word: str) -> None:
        t = self.peek()
        if t is None:
            raise Incomplete(f'unexpected end of file (expecting "{word}")')
        if t != ("word", word):
            raise ShellSyntaxError(f'unexpected "{t[1]}" (expecting "{word}")')
        self.pos += 1

    def separators(self) -> None:
        while self.peek() in (("op", "\n"), ("op", ";")):
            self.pos += 1

    def script(self) -> Script:
        items = self.items(frozenset())
        t = self.peek()
        if t is not None:
            raise ShellSyntaxError(f'unexpected "{t[1]}"')
        return items

    def items(self, stop: frozenset[str]) -> Script:
        """And-or lists up to one of the ``stop`` keywords (in command position) or the end."""
        out: Script = []
        first = True
        while True:
            t = self.peek()
            if t == ("op", ";") and first:
                raise ShellSyntaxError('unexpected ";"')
            self.separators()
            first = False
            t = self.peek()
            if t is None:
                if stop:
                    want = "fi" if "fi" in stop else sorted(stop)[0]
                    raise Incomplete(f'unexpected end of file (expecting "{want}")')
                return out
            if t[0] == "word" and t[1] in stop:
                return out
            if t[0] == "word" and t[1] in KEYWORDS:
                raise ShellSyntaxError(f'unexpected "{t[1]}"')
            if t[0] == "op":
                raise ShellSyntaxError(f'unexpected "{t[1]}"')
            item = AndOr(self.pipeline())
            while self.peek() in (("op", "&&"), ("op", "||")):
                op = self.toks[self.pos][1]
                self.pos += 1
                while self.peek() == ("op", "\n"):
                    self.pos += 1
                if self.peek() is None:
                    raise Incomplete(f"{op} at end")
                item.rest.append((op, self.pipeline()))
            t = self.peek()
            if t == ("op", "&"):
                item.background = True
                self.pos += 1
            elif t is not None and t[0] == "op" and t[1] not in (";", "\n"):
                raise ShellSyntaxError(f'unexpected "{t[1]}"')
            out.append(item)

    def pipeline(self) -> Pipeline:
        negate = False
        if self.at_word("!"):
            negate = True
            self.pos += 1
        cmds = [self.command()]
        while self.peek() == ("op", "|"):
            self.pos += 1
            while self.peek() == ("op", "\n"):
                self.pos += 1
            if self.peek() is None:
                raise Incomplete("pipe at end")
            cmds.append(self.command())
        return Pipeline(cmds, negate)

    def command(self) -> Command | ForLoop | WhileLoop | IfCommand:
        if self.at_word("for"):
            return self.for_loop()
        if self.at_word("while", "until"):
            until = self.toks[self.pos][1] == "until"
            self.pos += 1
            cond = self.items(frozenset({"do"}))
            self.expect("do")
            body = self.items(frozenset({"done"}))
            self.expect("done")
            return WhileLoop(cond, body, until)
        if self.at_word("if"):
            self.pos += 1
            branches: list[tuple[Script, Script]] = []
            otherwise: Script | None = None
            while True:
                cond = self.items(frozenset({"then"}))
                self.expect("then")
                body = self.items(frozenset({"elif", "else", "fi"}))
                branches.append((cond, body))
                if self.at_word("elif"):
                    self.pos += 1
                    continue
                if self.at_word("else"):
                    self.pos += 1
                    otherwise = self.items(frozenset({"fi"}))
                self.expect("fi")
                return IfCommand(branches, otherwise)
        return self.simple()

    def for_loop(self) -> ForLoop:
        self.pos += 1
        t = self.peek()
        if t is None:
            raise Incomplete("for")
        if t[0] != "word" or not t[1].replace("_", "a").isalnum():
            raise ShellSyntaxError("bad for loop variable")
        name = t[1]
        self.pos += 1
        words: list[str] = []
        if self.at_word("in"):
            self.pos += 1
            while (t := self.peek()) is not None and t[0] == "word":
                words.append(t[1])
                self.pos += 1
        else:
            words = ['"$@"']
        self.separators()
        self.expect("do")
        body = self.items(frozenset({"done"}))
        self.expect("done")
        return ForLoop(name, words, body)

    def simple(self) -> Command:
        cmd = Command()
        toks = self.toks
        while self.pos < len(toks) and toks[self.pos][0] != "op":
            kind, value = toks[self.pos]
            if kind == "redir":
                if self.pos + 1 >= len(toks) or toks[self.pos + 1][0] != "word":
                    raise ShellSyntaxError("unexpected newline" if self.pos + 1 >= len(toks)
                                           else f'unexpected "{toks[self.pos + 1][1]}"')
                fd_digits = "".join(ch for ch in value if digits(ch))
                op = value[len(fd_digits):]
                op = ">" if op == ">|" else op
                fd = int(fd_digits) if fd_digits else (0 if op.startswith("<") else 1)
                cmd.redirects.append(Redirect(fd, op, toks[self.pos + 1][1]))
                self.pos += 2
                continue
            if not cmd.words and _is_assign(value):
                name, _, raw = value.partition("=")
                cmd.assigns.append((name, raw))
            else:
                cmd.words.append(value)
            self.pos += 1
        if not cmd.words and not cmd.assigns and not cmd.redirects:
            t = self.peek()
            raise ShellSyntaxError(f'unexpected "{t[1]}"' if t else "unexpected end of file")
        return cmd
