"""Which plugins a view offers, and what running one means for the row under the cursor: the
argv, with k9s's variables expanded, and the environment to add (no Textual here).

k9s (``internal/view/env.go``, ``helpers.go``, ``table.go``) expands ``$VAR``, ``$!VAR`` and
``${VAR}`` in each argument from its own map, not from the process environment: $NAMESPACE,
$NAME, $FILTER (the filter typed, else the row's name), $CONTEXT, $CLUSTER, $USER, $GROUPS,
$KUBECONFIG, $RESOURCE_GROUP/_VERSION/_NAME, $COL-<COLUMN> for every column of the row; in the
containers view $NAME is the container and $POD its pod. A name it does not know stays as written
(a shell may still expand ``$HOME``). Values that read as booleans print as ``true``/``false``,
and ``$!VAR`` inverts them. The variables are not exported: the child gets the app's environment,
plus ``KUBECONFIG`` when the cluster is reached through another file (the served simulator).

No shell is involved unless the plugin's command is one: each argument stays one argument
whatever its value holds. A ``sh -c SCRIPT`` is different: a value pasted into a script is code.
k9py pastes values made of characters a shell never interprets (names, namespaces, labels, most
cells) as k9s does, and puts any other value (a space, a quote, ``<none>``, ``$(...)``) in the
environment as ``K9PY_VALUE_<n>`` and pastes ``${K9PY_VALUE_<n>}`` instead: the shell expands it,
never runs it.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field

from k9py.config.plugins import ALL, Plugin, is_number
from k9py.kube import resources
from k9py.kube.resources import ApiResource
from k9py.view import kinds
from k9py.view.kinds import ViewKind
from k9py.view.rows import Row, RowModel, container_name

NA = "n/a"  # k9s's value for what the kubeconfig does not say (groups)

# k9s's envRX: $XXX, $!XXX, ${XXX}, ${!XXX} (Go's \w is ASCII)
VARIABLE = re.compile(r"\$(!?)([\w\-]+)|\$\{(!?)([\w\-%/: ]+)\}", re.ASCII)
_BOOL_WORDS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh"})
_SHELL_SAFE = re.compile(r"[\w@%+=:,./-]*", re.ASCII)  # what shlex.quote leaves unquoted
ENV_PREFIX = "K9PY_VALUE_"


@dataclass(frozen=True)
class Target:
    """Where a plugin's kubectl goes: the kubeconfig (files joined by ``os.pathsep``; "" the
    default one) and the names in it."""
    kubeconfig: str = ""
    context: str = ""
    cluster: str = ""
    user: str = ""
    groups: tuple[str, ...] = ()
    export_kubeconfig: bool = False  # put KUBECONFIG in the child's environment (a file of k9py's)
    kubectl_flags: tuple[str, ...] = ()  # what k9py's own kubectl runs add: --as USER --as-group G


@dataclass(frozen=True)
class Invocation:
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)  # added to the app's environment
    pipes: list[list[str]] = field(default_factory=list)  # each stage's argv, after argv

    @property
    def text(self) -> str:
        """For the confirm dialog (k9s: "Run?\\nCOMMAND ARGS")."""
        return " ".join(self.argv)


@dataclass(frozen=True)
class Subject:
    """What a plugin runs on: the row under a table's cursor (``model``: its columns), or an
    xray node as a row of its kind's view (k9s's xray: no columns; a container's ``pod``)."""
    view: ViewKind
    row: Row
    model: RowModel | None = None
    pod: tuple[str, str] | None = None
    filter_text: str = ""


class PluginError(Exception):
    """The plugin cannot run with these inputs (a required one without a value)."""


# -- scopes ------------------------------------------------------------------------------------
def applies(plugin: Plugin, view: ViewKind, extra: kinds.Aliases | None = None) -> bool:
    """k9s's inScope: ``all``, or a scope naming ``view`` (its name, an alias, a plural, a
    fully qualified ``deployments.apps`` / ``apps/v1/deployments``, a discovered resource)."""
    for scope in plugin.scopes:
        if scope.lower() == ALL:
            return True
        found = kinds.lookup(scope, extra)
        if found is not None and found.name == view.name and found.kind == view.kind:
            return True
    return False


def for_view(plugins: Iterable[Plugin], view: ViewKind, extra: kinds.Aliases | None = None) -> list[Plugin]:
    return [p for p in plugins if applies(p, view, extra)]


# -- variables ---------------------------------------------------------------------------------
def variables(view: ViewKind, row: Row | None, model: RowModel | None, target: Target, *,
              filter_text: str = "", pod: tuple[str, str] | None = None,
              api: Iterable[ApiResource] = ()) -> dict[str, str]:
    """k9s's map for the row under the cursor (``pod``: the containers view's pod; ``api``: the
    server's resources, for a discovered view's version)."""
    env = {"CONTEXT": target.context or NA, "CLUSTER": target.cluster or NA, "USER": target.user or NA,
           "GROUPS": ",".join(target.groups) or NA, "KUBECONFIG": target.kubeconfig}
    group, version, plural = _gvr(view, api)
    env.update(RESOURCE_GROUP=group, RESOURCE_VERSION=version, RESOURCE_NAME=plural)
    if row is None:
        return env
    ns, name = row.key[0], row.key[1]  # (a workloads row's key holds its kind third)
    if view.name == "containers":
        name = str(container_name(row.key, row.obj))
        env["CONTAINER"] = name
        if pod is not None:
            ns, env["POD"] = pod
    elif view.kind == "Pod":
        env["POD"] = name
    env["NAMESPACE"], env["NAME"] = ns, name
    env["FILTER"] = filter_text or name  # k9s: the filter typed, else the selected name
    if model is not None:
        for column, cell in model.named_cells(row).items():  # k9s: every column, shown or not
            env[f"COL-{column}"] = cell
    return env


def _gvr(view: ViewKind, api: Iterable[ApiResource]) -> tuple[str, str, str]:
    if not view.kind or view.derived:  # k9s: "containers", "contexts", "helm"
        return "", "", view.name
    group = kinds.group_of(view)
    res = resources.BY_KIND.get(view.kind) if not view.discovered else None
    if res is None:
        res = next((r for r in api if r.kind == view.kind and r.group == group), None)
    if res is None:
        return group, "", view.name.split(".", 1)[0]
    return res.group, res.version, res.plural


def substitute(arg: str, env: dict[str, str], quote: dict[str, str] | None = None) -> str:
    """k9s's Env.Substitute: each ``$VAR`` / ``$!VAR`` / ``${VAR}`` that ``env`` has (any case)
    replaced by its value, in one pass; others left as written. ``quote``: a shell script's
    unsafe values go there (name → value) and the script gets ``${name}``."""
    def one(m: re.Match[str]) -> str:
        inverse, key = (m.group(1), m.group(2)) if m.group(2) is not None else (m.group(3), m.group(4))
        value = env.get(key.upper())
        if value is None:
            return m.group(0)
        value = _boolean(value, inverse == "!")
        if quote is None or _SHELL_SAFE.fullmatch(value):
            return value
        name = next((k for k, v in quote.items() if v == value), None)
        if name is None:
            name = f"{ENV_PREFIX}{len(quote) + 1}"
            quote[name] = value
        return "${" + name + "}"
    return VARIABLE.sub(one, arg)


def _boolean(value: str, inverse: bool) -> str:
    """k9s prints what parses as a boolean as ``true``/``false`` (inverted by ``$!``). Its
    single letters (t, F) are left alone here: a pod may be called ``f``."""
    b = _BOOL_WORDS.get(value)
    if b is None:
        return value
    return "true" if b != inverse else "false"


def script_index(command: str, args: list[str]) -> int | None:
    """The index of the script in ``args`` when ``command`` is a POSIX shell run with ``-c``
    (``sh -c``, ``bash -ec``, ``bash -o pipefail -c``): the first operand after that option."""
    if os.path.basename(command) not in SHELLS:
        return None
    seen_c = False
    for i, a in enumerate(args):
        if a.startswith("--") and a != "--":
            continue  # --norc, --login
        if a.startswith("-") and len(a) > 1 and a != "--":
            seen_c = seen_c or "c" in a[1:]
        elif a.startswith("+") and len(a) > 1:
            continue
        elif seen_c:
            return i
        elif i > 0 and args[i - 1] in ("-o", "+o"):
            continue
        else:
            return None  # a script file: its arguments are data
    return None


# -- the invocation ----------------------------------------------------------------------------
def input_defaults(plugin: Plugin) -> dict[str, str]:
    """What the inputs dialog opens with (k9s's ShowPluginInputs): each input's default; a
    dropdown's only when it is one of its options (else none chosen)."""
    return {i.name: (i.default or "") if i.type != "dropdown" or i.default in i.options else ""
            for i in plugin.inputs}


def input_values(plugin: Plugin, typed: dict[str, str]) -> dict[str, str]:
    """The inputs dialog's OK, as k9s's: PluginError when a required input (not a bool: it
    always has one) has no value or a number input holds no number; an optional input left
    empty is dropped, so its ``$INPUT_NAME`` stays as written (k9s's substitution skips it)."""
    missing = [i.name for i in plugin.inputs if i.required and i.type != "bool" and not typed.get(i.name)]
    if missing:
        raise PluginError(f"Required fields are missing: {', '.join(missing)}")
    for i in plugin.inputs:
        if i.type == "number" and typed.get(i.name) and not is_number(typed[i.name]):
            raise PluginError(f"{i.label or i.name}: {typed[i.name]!r} is not a number")
    return {i.name: typed.get(i.name, "") for i in plugin.inputs if i.type == "bool" or typed.get(i.name)}


def invocation(plugin: Plugin, env: dict[str, str], target: Target,
               inputs: dict[str, str] | None = None) -> Invocation:
    """The argv (command, then each arg expanded), the environment to add and the pipes.
    ``inputs``: the inputs dialog's values (``$INPUT_<NAME>``); None: the defaults."""
    env = dict(env)
    values = input_values(plugin, input_defaults(plugin)) if inputs is None else inputs
    env.update((f"INPUT_{name.upper()}", value) for name, value in values.items())
    args = list(plugin.args)
    script = script_index(plugin.command, args)
    quoted: dict[str, str] = {}
    argv = [plugin.command] + [substitute(a, env, quoted if i == script else None) for i, a in enumerate(args)]
    extra = dict(quoted)
    if target.export_kubeconfig and target.kubeconfig:
        extra["KUBECONFIG"] = target.kubeconfig
    pipes = [_split(p) for p in plugin.pipes]
    return Invocation(argv, extra, [p for p in pipes if p])


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return []
