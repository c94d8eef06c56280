"""The Common Expression Language as the apiserver evaluates it in admission policies
(ValidatingAdmissionPolicy's ``validations``, ``matchConditions``, ``variables``).

``compile(source, declared)`` parses an expression once (``CelSyntaxError``: the apiserver's
"compilation failed" text, with the column); ``Program.evaluate(activation)`` runs it over plain
API-shaped values (dicts, lists, str, int, float, bool, None) and raises ``CelError`` with
cel-go's runtime messages ("no such key: replicas", "no such overload", "division by zero").

What is here: literals (ints, ``u`` uints, doubles, strings with escapes, raw and triple-quoted,
bytes, lists, maps), ``?:``, ``||`` and ``&&`` (commutative: an error on one side is absorbed by a
decisive other side), comparisons, ``in``, arithmetic with int64 overflow errors, field selection
and indexing, the macros ``has``, ``all``, ``exists``, ``exists_one``, ``map``, ``filter``, the
standard functions (``size``, conversions, ``type``, ``matches``, ``contains``, ``startsWith``,
``endsWith``) and Kubernetes' string and list libraries (``lowerAscii``, ``split``, ``join``,
``isSorted``, ``sum`` …). Evaluation has a step budget, as the apiserver's cost limit: an
expression over huge lists ends with "operation cancelled: actual cost limit exceeded".
Optionals (``x.?y``, ``x[?k]``, ``optional.of``, ``orValue`` …) are ``cel_optional.py``'s, quantities
(``quantity('1Gi').isLessThan(…)``) ``cel_quantity.py``'s.
Timestamps and durations (``timestamp(object.metadata.creationTimestamp)``, ``duration('1h')``)
are ``cel_time.py``'s.
Not here: static type checking (a mismatch is found when it is evaluated), protobuf messages,
Kubernetes' url/ip/semver libraries, IANA time zone names. A host's own values (an admission
policy's ``authorizer``) are ``HostObject``s with their own fields and methods.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from k9py.kube.cel_library import FUNCTIONS, METHODS
from k9py.kube.cel_optional import NONE, OPTIONAL_FUNCTIONS, OPTIONAL_METHODS, Optional, optional_method
from k9py.kube.cel_quantity import QUANTITY_FUNCTIONS, QUANTITY_METHODS, Quantity, quantity_method
from k9py.kube.cel_time import TIME_FUNCTIONS, TIME_METHODS, TIME_TYPES, time_arith, time_compare, time_method
from k9py.kube.cel_values import (
    HOST_METHODS,
    INT_MAX,
    INT_MIN,
    MISSING,
    TYPES,
    UINT_MAX,
    CelError,
    CelType,
    HostObject,
    UInt,
    arith,
    compare,
    equal,
    int64,
    lookup,
    overload,
    type_of,
)

KNOWN_FUNCTIONS = frozenset(FUNCTIONS) | frozenset(QUANTITY_FUNCTIONS) | frozenset(TIME_FUNCTIONS)
KNOWN_METHODS = frozenset(METHODS) | OPTIONAL_METHODS | QUANTITY_METHODS | TIME_METHODS

__all__ = ["Budget", "CelError", "CelSyntaxError", "CelType", "HostObject", "Program", "UInt", "compile", "compile_cached", "equal", "request_budget", "type_of"]

COST_LIMIT = 1_000_000  # steps an evaluation may take (the apiserver's per-expression limit is in cost units)
REQUEST_LIMIT = 10_000_000  # steps all of one request's evaluations may take together (its per-request budget)
MAX_DEPTH = 40  # nesting of parentheses, calls and unary operators (cel-go's parser limits its recursion too)
MAX_TREE = 250  # depth of the parsed tree (``1+1+…`` nests to the left): evaluated by recursion
MAX_SOURCE = 20_000


class CelSyntaxError(Exception):
    """An expression does not compile: ``ERROR: <input>:LINE:COL: …``, as the apiserver reports it."""

    def __init__(self, message: str, line: int = 1, column: int = 0) -> None:
        super().__init__(f"ERROR: <input>:{line}:{column}: {message}")


# -- lexing --------------------------------------------------------------------------------------
_TOKEN = re.compile(r"""
    (?P<ws>\s+|//[^\n]*)
  | (?P<str>(?:[rR][bB]?|[bB][rR]?)?(?:'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"))
  | (?P<num>0[xX][0-9a-fA-F]+[uU]?|(?:[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)|[0-9]+[uU]?)
  | (?P<id>[_a-zA-Z][_a-zA-Z0-9]*)
  | (?P<op>\|\||&&|==|!=|<=|>=|[<>+\-*/%!?:.,\[\](){}])
""", re.VERBOSE | re.DOTALL)
_RESERVED = {"as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
             "package", "namespace", "return", "var", "void", "while"}
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
            "'": "'", '"': '"', "`": "`", "?": "?"}


@dataclass
class _Tok:
    kind: str  # str, num, id, op, eof
    text: str
    pos: int


def _lex(src: str) -> list[_Tok]:
    out: list[_Tok] = []
    i = 0
    while i < len(src):
        m = _TOKEN.match(src, i)
        if m is None:
            raise CelSyntaxError(f"Syntax error: token recognition error at: '{src[i]}'", *_where(src, i))
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append(_Tok(kind, m.group(), i))
        i = m.end()
    out.append(_Tok("eof", "<EOF>", len(src)))
    return out


_HEX = re.compile(r"[0-9a-fA-F]{4}|[0-9a-fA-F]{8}")


def _where(src: str, pos: int) -> tuple[int, int]:
    line = src.count("\n", 0, pos) + 1
    return line, pos - (src.rfind("\n", 0, pos) + 1)


def _unquote(text: str, src: str, pos: int) -> str | bytes:
    prefix = ""
    while text[0] in "rRbB":
        prefix += text[0].lower()
        text = text[1:]
    q = 3 if text[:3] in ("'''", '"""') else 1
    body = text[q:-q]
    if "r" in prefix:
        return body.encode() if "b" in prefix else body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt in "xX" and re.fullmatch(r"[0-9a-fA-F]{2}", body[i + 2:i + 4]):
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
        elif nxt in ("u", "U") and _HEX.fullmatch(body[i + 2:i + (6 if nxt == "u" else 10)]):
            end = i + (6 if nxt == "u" else 10)
            code = int(body[i + 2:end], 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:  # (no character: a lone surrogate, past Unicode)
                raise CelSyntaxError(f"Syntax error: invalid unicode code point: \\{body[i + 1:end]}", *_where(src, pos))
            out.append(chr(code))
            i = end
        elif re.fullmatch(r"[0-3][0-7]{2}", body[i + 1:i + 4]):
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
        else:
            raise CelSyntaxError(f"Syntax error: invalid escape sequence '\\{nxt}'", *_where(src, pos))
    s = "".join(out)
    if "b" in prefix:
        return s.encode("latin-1") if all(ord(c) < 256 for c in s) else s.encode()
    return s


# -- parsing -------------------------------------------------------------------------------------
# The tree is tuples: (op, ...). Leaves: ("lit", v), ("id", name). See Program._eval for the rest.
Node = tuple[Any, ...]
_MACROS = {"all": 2, "exists": 2, "exists_one": 2, "filter": 2, "map": (2, 3)}
_RELATIONS = ("<", "<=", ">", ">=", "==", "!=", "in")


class _Parser:
    def __init__(self, src: str, declared: frozenset[str] | None) -> None:
        self.src = src
        self.toks = _lex(src)
        self.i = 0
        self.declared = declared
        self.bound: list[str] = []  # the macros' iteration variables in scope
        self.depth = 0

    def fail(self, message: str, tok: _Tok | None = None) -> CelSyntaxError:
        t = tok or self.toks[self.i]
        return CelSyntaxError(message, *_where(self.src, t.pos))

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self, text: str | None = None) -> _Tok:
        t = self.toks[self.i]
        if text is not None and not (t.kind == "op" and t.text == text):
            raise self.fail(f"Syntax error: mismatched input '{t.text}' expecting '{text}'")
        self.i += 1
        return t

    def at(self, *texts: str) -> bool:
        t = self.toks[self.i]
        return t.kind in ("op", "id") and t.text in texts

    def parse(self) -> Node:
        node = self.expr()
        if self.peek().kind != "eof":
            t = self.peek()
            raise self.fail(f"Syntax error: extraneous input '{t.text}' expecting <EOF>")
        return node

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"expression recursion limit exceeded: {MAX_DEPTH}")
        try:
            cond = self.binary(0)
            if self.at("?"):
                self.take("?")
                yes = self.binary(0)
                self.take(":")
                no = self.expr()
                return ("cond", cond, yes, no)
            return cond
        finally:
            self.depth -= 1

    _LEVELS: tuple[tuple[str, ...], ...] = (("||",), ("&&",), _RELATIONS, ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        ops = self._LEVELS[level]
        while self.at(*ops):
            op = self.take().text
            right = self.binary(level + 1)
            if op == "||":
                left = ("or", left, right)
            elif op == "&&":
                left = ("and", left, right)
            else:
                left = ("bin", op, left, right)
        return left

    def unary(self) -> Node:
        self.depth += 1
        try:
            return self._unary()
        finally:
            self.depth -= 1

    def _unary(self) -> Node:
        if self.depth > MAX_DEPTH:
            raise self.fail(f"expression recursion limit exceeded: {MAX_DEPTH}")
        if self.at("!"):
            self.take()
            return ("not", self.unary())
        if self.at("-"):
            tok = self.take()
            nxt = self.peek()
            if nxt.kind == "num" and not nxt.text.lower().endswith("u") and self.toks[self.i + 1].text not in (".", "["):
                self.take()
                return ("lit", _number("-" + nxt.text, self, tok))
            return ("neg", self.unary())
        return self.member()

    def member(self) -> Node:
        node = self.primary()
        while True:
            if self.at("."):
                self.take()
                optional = self.at("?")  # x.?y: an optional selection
                if optional:
                    self.take()
                t = self.take()
                if t.kind != "id":
                    raise self.fail(f"Syntax error: mismatched input '{t.text}' expecting IDENTIFIER", t)
                if optional:
                    node = ("optsel", node, t.text)
                else:
                    node = self.call(t.text, node, t) if self.at("(") else ("sel", node, t.text)
            elif self.at("["):
                self.take()
                optional = self.at("?")  # x[?k]: an optional index
                if optional:
                    self.take()
                idx = self.expr()
                self.take("]")
                node = ("optidx" if optional else "idx", node, idx)
            else:
                return node

    def args(self) -> list[Node]:
        self.take("(")
        out: list[Node] = []
        if not self.at(")"):
            out.append(self.expr())
            while self.at(","):
                self.take()
                out.append(self.expr())
        self.take(")")
        return out

    def call(self, name: str, target: Node | None, tok: _Tok) -> Node:
        if target is not None and name in _MACROS:
            self.take("(")
            var = self.take()
            if var.kind != "id":
                raise self.fail(f"{name}() variable name must be a simple identifier", var)
            self.take(",")
            self.bound.append(var.text)
            try:
                first = self.expr()
                second = None
                if self.at(","):
                    self.take()
                    second = self.expr()
            finally:
                self.bound.pop()
            self.take(")")
            want = _MACROS[name]
            count = 2 if second is None else 3
            if count not in (want if isinstance(want, tuple) else (want,)):
                raise self.fail(f"no matching overload for macro '{name}'", tok)
            return ("comp", name, target, var.text, first, second)
        if target is None and name == "has":
            args = self.args()
            if len(args) != 1 or args[0][0] != "sel":
                raise self.fail("invalid argument to has() macro", tok)
            return ("has", args[0][1], args[0][2])
        if self.declared is not None and name not in (KNOWN_FUNCTIONS if target is None else KNOWN_METHODS) \
                and name not in HOST_METHODS:  # (checked where names are declared: a policy, a CRD rule)
            raise self.fail(f"undeclared reference to '{name}' (in container '')", tok)
        return ("call", name, target, self.args())

    def primary(self) -> Node:
        t = self.peek()
        if t.kind == "num":
            self.take()
            return ("lit", _number(t.text, self, t))
        if t.kind == "str":
            self.take()
            return ("lit", _unquote(t.text, self.src, t.pos))
        if t.kind == "id":
            self.take()
            if t.text in ("true", "false"):
                return ("lit", t.text == "true")
            if t.text == "null":
                return ("lit", None)
            if t.text in _RESERVED:
                raise self.fail(f"Syntax error: reserved identifier: {t.text}", t)
            if self.at("("):
                return self.call(t.text, None, t)
            if t.text == "optional" and self.at(".") and self.toks[self.i + 1].text in OPTIONAL_FUNCTIONS \
                    and self.toks[self.i + 2].text == "(":  # optional.of(x), optional.none() …
                self.take()
                name = self.take().text
                return ("call", f"optional.{name}", None, self.args())
            if self.declared is not None and t.text not in self.declared and t.text not in self.bound \
                    and t.text not in TYPES:
                raise self.fail(f"undeclared reference to '{t.text}' (in container '')", t)
            return ("id", t.text)
        if t.kind == "op" and t.text == ".":
            self.take()
            return self.primary()
        if self.at("("):
            self.take()
            node = self.expr()
            self.take(")")
            return node
        if self.at("["):
            self.take()
            items: list[Node] = []
            while not self.at("]"):
                items.append(self.expr())
                if not self.at(","):
                    break
                self.take()
            self.take("]")
            return ("list", items)
        if self.at("{"):
            self.take()
            entries: list[tuple[Node, Node]] = []
            while not self.at("}"):
                k = self.expr()
                self.take(":")
                entries.append((k, self.expr()))
                if not self.at(","):
                    break
                self.take()
            self.take("}")
            return ("map", entries)
        if t.kind == "eof":
            raise self.fail("Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', "
                            "'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}")
        raise self.fail(f"Syntax error: mismatched input '{t.text}' expecting {{'[', '{{', '(', '.', '-', '!', "
                        "'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}")


def _number(text: str, parser: _Parser, tok: _Tok) -> int | float:
    low = text.lower()
    if low.endswith("u"):
        value = int(low[:-1], 16 if "0x" in low else 10)
        if value > UINT_MAX:
            raise parser.fail("error converting uint literal: value out of range", tok)
        return UInt(value)
    if "0x" in low:
        value = int(low, 16)  # ("-0x10": the sign once)
    elif any(c in low for c in ".e"):
        return float(low)
    else:
        value = int(low)
    if not INT_MIN <= value <= INT_MAX:
        raise parser.fail("error converting int literal: value out of range", tok)
    return value


@dataclass(frozen=True)
class Program:
    source: str
    tree: Node

    def evaluate(self, activation: Mapping[str, Any], *, limit: int = COST_LIMIT, budget: Budget | None = None) -> Any:
        """The expression's value over ``activation`` (variable name → value); ``CelError``.
        ``budget``: the request's, shared with its other evaluations."""
        try:
            return _Eval(activation, limit, budget if budget is not None else _REQUEST_BUDGET.get()).eval(self.tree)
        except RecursionError:  # (the tree's depth is bounded; a deep stack below the caller's aside)
            raise CelError("operation cancelled: expression too deeply nested") from None
        except (TypeError, ValueError, OverflowError, ArithmeticError) as e:  # what a value's Python type refused
            raise CelError(f"evaluation error: {e}") from None


def compile(source: str, declared: frozenset[str] | set[str] | None = None) -> Program:
    """Parse ``source``; with ``declared``, any other free name is refused as cel-go refuses it."""
    if len(source) > MAX_SOURCE:
        raise CelSyntaxError(f"expression too long: {len(source)} characters (at most {MAX_SOURCE})")
    try:
        tree = _Parser(source, frozenset(declared) if declared is not None else None).parse()
    except RecursionError:
        raise CelSyntaxError(f"expression recursion limit exceeded: {MAX_DEPTH}") from None
    if _depth(tree) > MAX_TREE:
        raise CelSyntaxError(f"expression too deeply nested: more than {MAX_TREE} levels")
    return Program(source, tree)


@functools.lru_cache(maxsize=4096)
def compile_cached(source: str, declared: frozenset[str]) -> Program:
    """``compile``, remembered: the expressions a policy or a CRD's rules evaluate again and again."""
    return compile(source, declared)


def _depth(tree: Node) -> int:
    """How deep ``tree`` nests (walked without recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        for part in node[1:]:
            if isinstance(part, tuple) and part and isinstance(part[0], str):
                stack.append((part, d + 1))
            elif isinstance(part, list):
                for item in part:
                    if isinstance(item, tuple) and item and isinstance(item[0], str):
                        stack.append((item, d + 1))
                    elif isinstance(item, tuple):  # a map entry: (key, value)
                        stack.extend((x, d + 1) for x in item)
    return deepest


class Budget:
    """Steps left to a whole request's evaluations (the apiserver's per-request budget): shared by
    every expression a request evaluates, each also held to its own ``COST_LIMIT``."""

    def __init__(self, steps: int = REQUEST_LIMIT) -> None:
        self.left = steps


_REQUEST_BUDGET: ContextVar[Budget | None] = ContextVar("cel_request_budget", default=None)


@contextmanager
def request_budget(steps: int = REQUEST_LIMIT) -> Iterator[Budget]:
    """Every evaluation inside shares one ``Budget`` (a request's policies, a resource's rules)."""
    token = _REQUEST_BUDGET.set(Budget(steps))
    try:
        yield _REQUEST_BUDGET.get()  # type: ignore[misc]
    finally:
        _REQUEST_BUDGET.reset(token)


class _Eval:
    def __init__(self, activation: Mapping[str, Any], limit: int, shared: Budget | None) -> None:
        self.scopes: list[dict[str, Any]] = []
        self.activation = activation
        self.budget = limit
        self.shared = shared

    def spend(self, n: int = 1) -> None:
        self.budget -= n
        shared = self.shared
        if shared is not None:
            shared.left -= n
            if shared.left < 0:
                raise CelError("operation cancelled: actual cost limit exceeded (the request's budget)")
        if self.budget < 0:
            raise CelError("operation cancelled: actual cost limit exceeded")

    def name(self, n: str) -> Any:
        for scope in reversed(self.scopes):
            if n in scope:
                return scope[n]
        if n in self.activation:
            return self.activation[n]
        if n in TYPES:
            return TYPES[n]
        raise CelError(f"no such attribute(s): {n}")

    def eval(self, node: Node) -> Any:
        self.spend()
        op = node[0]
        if op == "lit":
            return node[1]
        if op == "id":
            return self.name(node[1])
        if op == "sel":
            target = self.eval(node[1])
            if type(target) is Optional:  # x.?y.z is x.?y.?z: optional once a chain is
                return self.optional_step(target, node[2], select=True)
            return self.select(target, node[2])
        if op == "idx":
            target = self.eval(node[1])
            if type(target) is Optional:
                return self.optional_step(target, self.eval(node[2]), select=False)
            return self.index(target, self.eval(node[2]))
        if op == "optsel" or op == "optidx":
            return self.optional_step(self.eval(node[1]), node[2] if op == "optsel" else self.eval(node[2]),
                                      select=op == "optsel")
        if op == "and" or op == "or":
            return self.logic(op, node[1], node[2])
        if op == "not":
            v = self.eval(node[1])
            if type(v) is not bool:
                raise overload("!_", v)
            return not v
        if op == "neg":
            v = self.eval(node[1])
            if type(v) is int:
                return int64(-v)
            if type(v) is float:
                return -v
            raise overload("-_", v)
        if op == "cond":
            c = self.eval(node[1])
            if type(c) is not bool:
                raise overload("_?_:_", c)
            return self.eval(node[2] if c else node[3])
        if op == "bin":
            return self.binop(node[1], self.eval(node[2]), self.eval(node[3]))
        if op == "list":
            return [self.eval(n) for n in node[1]]
        if op == "map":
            out: dict[Any, Any] = {}
            for kn, vn in node[1]:
                k = self.eval(kn)
                if type(k) not in (str, int, UInt, bool):
                    raise CelError(f"unsupported key type: {type_of(k).name}")
                if lookup(out, k) is not MISSING:
                    raise CelError(f"Failed with repeated key: {k}")
                out[k] = self.eval(vn)
            return out
        if op == "has":
            target = self.eval(node[1])
            if isinstance(target, Mapping):
                return node[2] in target
            raise CelError(f"invalid type for field selection: {type_of(target).name}")
        if op == "comp":
            return self.comprehension(*node[1:])
        if op == "call":
            return self.call(node[1], node[2], node[3])
        raise CelError(f"unknown node {op}")

    def optional_step(self, target: Any, key: Any, *, select: bool) -> Any:
        """``target.?key`` (``select``) or ``target[?key]``: an optional of what is there, none
        when it is not (or ``target`` is none)."""
        if type(target) is Optional:
            if not target.present:
                return target
            target = target.value
        if isinstance(target, Mapping):
            found = lookup(target, key)
            return NONE if found is MISSING else Optional(found)
        if not select and isinstance(target, list):
            return Optional(target[key]) if type(key) is int and 0 <= key < len(target) else NONE
        if isinstance(target, HostObject) and select:
            return Optional(target.cel_field(key))
        raise CelError(f"type '{type_of(target).name}' does not support optional field selection")

    def select(self, target: Any, field: str) -> Any:
        if isinstance(target, HostObject):
            return target.cel_field(field)
        if isinstance(target, Mapping):
            if field in target:
                return target[field]
            raise CelError(f"no such key: {field}")
        raise CelError(f"type '{type_of(target).name}' does not support field selection")

    def index(self, target: Any, key: Any) -> Any:
        if isinstance(target, list):
            if type(key) is float and key.is_integer():
                key = int(key)
            if type(key) not in (int, UInt):
                raise overload("_[_]", target, key)
            if not 0 <= key < len(target):
                raise CelError(f"index out of range: {key}")
            return target[key]
        if isinstance(target, Mapping):
            v = lookup(target, key)
            if v is MISSING:
                raise CelError(f"no such key: {key}")
            return v
        raise overload("_[_]", target, key)

    def logic(self, op: str, left: Node, right: Node) -> bool:
        return self.absorbing(op == "or", (left, right), lambda node: self.eval(node))

    def absorbing(self, decisive: bool, items: Iterable[Any], value: Callable[[Any], Any]) -> bool:
        """CEL's commutative ``||`` (``decisive``: true) or ``&&`` over ``value(item)`` for each item
        (two sides; a macro's elements for ``exists``/``all``): a decisive value ends it whatever
        errors came before; else the first error, else the other value."""
        err: CelError | None = None
        for item in items:
            try:
                v = value(item)
            except CelError as e:
                err = err or e
                continue
            if type(v) is not bool:
                err = err or overload("_||_" if decisive else "_&&_", v)
                continue
            if v is decisive:
                return decisive
        if err is not None:
            raise err
        return not decisive

    def binop(self, op: str, a: Any, b: Any) -> Any:
        if op == "==" or op == "!=":
            if isinstance(a, (list, Mapping)):  # (compared element by element)
                self.spend(_deep_size(a))
            return equal(a, b) is (op == "==")
        if op == "in":
            if isinstance(b, list):
                self.spend(len(b))
                return any(equal(a, x) for x in b)
            if isinstance(b, Mapping):
                return lookup(b, a) is not MISSING
            raise overload("@in", a, b)
        if type(a) in TIME_TYPES or type(b) in TIME_TYPES:
            return time_compare(op, a, b) if op in ("<", "<=", ">", ">=") else time_arith(op, a, b)
        if op in ("<", "<=", ">", ">="):
            return compare(op, a, b)
        if op == "+" and type(a) in (str, bytes, list):
            self.spend((len(a) + len(b)) // 64 if type(a) is type(b) else 0)
        return arith(op, a, b)

    def comprehension(self, macro: str, target: Node, var: str, first: Node, second: Node | None) -> Any:
        coll = self.eval(target)
        if isinstance(coll, Mapping):
            items = list(coll.keys())
        elif isinstance(coll, list):
            items = coll
        else:
            raise CelError(f"cannot iterate over {type_of(coll).name}")
        scope: dict[str, Any] = {}
        self.scopes.append(scope)
        try:
            if macro in ("all", "exists"):  # a fold of || (exists) or && (all) over the elements

                def element(item: Any) -> Any:
                    scope[var] = item
                    return self.eval(first)
                return self.absorbing(macro == "exists", items, element)
            if macro == "exists_one":
                count = 0
                for item in items:
                    scope[var] = item
                    v = self.eval(first)
                    if type(v) is not bool:
                        raise overload("exists_one", v)
                    count += v
                return count == 1
            if macro == "filter":
                out = []
                for item in items:
                    scope[var] = item
                    v = self.eval(first)
                    if type(v) is not bool:
                        raise overload("filter", v)
                    if v:
                        out.append(item)
                return out
            mapped = []
            for item in items:
                scope[var] = item
                if second is not None:
                    keep = self.eval(first)
                    if type(keep) is not bool:
                        raise overload("map", keep)
                    if not keep:
                        continue
                    mapped.append(self.eval(second))
                else:
                    mapped.append(self.eval(first))
            return mapped
        finally:
            self.scopes.pop()

    def call(self, name: str, target: Node | None, arg_nodes: list[Node]) -> Any:
        args = [self.eval(a) for a in arg_nodes]
        if target is not None:
            recv = self.eval(target)
            if type(recv) is Optional:
                return optional_method(recv, name, args)
            if type(recv) is Quantity:
                return quantity_method(recv, name, args)
            if type(recv) in TIME_TYPES:
                return time_method(recv, name, args)
            if isinstance(recv, HostObject):
                return recv.cel_call(name, args)
            fn = METHODS.get(name)
            if fn is None:
                raise CelError(f"no such overload: {type_of(recv).name}.{name}")
            self.spend(_size_cost(recv))
            return fn(recv, *args)
        fn = FUNCTIONS.get(name) or QUANTITY_FUNCTIONS.get(name) or TIME_FUNCTIONS.get(name) or (
            OPTIONAL_FUNCTIONS.get(name[9:]) if name.startswith("optional.") else None)
        if fn is None:
            raise CelError(f"no such function: {name}")
        if args:
            self.spend(_size_cost(args[0]))
        return fn(*args)


def _deep_size(v: Any, cap: int = COST_LIMIT) -> int:
    """How many values ``v`` holds, counted to ``cap`` (an equality's cost)."""
    count, stack = 0, [v]
    while stack and count < cap:
        x = stack.pop()
        count += 1
        if isinstance(x, Mapping):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return count


def _size_cost(v: Any) -> int:
    return len(v) // 16 if type(v) in (str, bytes, list) else 0
