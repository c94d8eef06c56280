"""The apiserver's name checks (k8s.io/apimachinery/pkg/util/validation) with their messages.

Each function returns the messages a bad value earns (empty when it is fine); the caller makes
one ``Invalid value: "<value>": <message>`` cause of each, as ``field.Invalid`` does.
"""

from __future__ import annotations

import re

DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
DNS1035_LABEL_MAX = 63
PORT_NAME_MAX = 15

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_PORT_CHARS = re.compile(r"^[-a-z0-9]+$")
_ONE_LETTER = re.compile(r"[a-z]")

LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
_QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
QUALIFIED_NAME_MAX = 63
LABEL_VALUE_MAX = 63
QUALIFIED_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                 "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
                 "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                   "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                   "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
DNS1035_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
               "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
               "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")


def max_len(n: int) -> str:
    return f"must be no more than {n} characters"


def dns1123_label(value: str) -> list[str]:
    errs = []
    if len(value) > DNS1123_LABEL_MAX:
        errs.append(max_len(DNS1123_LABEL_MAX))
    if not _LABEL.match(value):
        errs.append(LABEL_MSG)
    return errs


def dns1123_subdomain(value: str) -> list[str]:
    errs = []
    if len(value) > DNS1123_SUBDOMAIN_MAX:
        errs.append(max_len(DNS1123_SUBDOMAIN_MAX))
    if not _SUBDOMAIN.match(value):
        errs.append(SUBDOMAIN_MSG)
    return errs


def dns1035_label(value: str) -> list[str]:
    errs = []
    if len(value) > DNS1035_LABEL_MAX:
        errs.append(max_len(DNS1035_LABEL_MAX))
    if not _DNS1035.match(value):
        errs.append(DNS1035_MSG)
    return errs


def qualified_name(value: str) -> list[str]:
    """``IsQualifiedName``: a label key or an annotation key, ``[DNS-1123 subdomain/]name``."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) > 2:
        return [f"a qualified name {QUALIFIED_MSG} with an optional DNS subdomain prefix and '/' "
                "(e.g. 'example.com/MyName')"]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs += [f"prefix part {m}" for m in dns1123_subdomain(prefix)]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > QUALIFIED_NAME_MAX:
        errs.append(f"name part {max_len(QUALIFIED_NAME_MAX)}")
    if not _QUALIFIED.match(name):
        errs.append(f"name part {QUALIFIED_MSG}")
    return errs


def label_value(value: str) -> list[str]:
    """``IsValidLabelValue``: empty, or a qualified name's name part."""
    errs = []
    if len(value) > LABEL_VALUE_MAX:
        errs.append(max_len(LABEL_VALUE_MAX))
    if value and not _QUALIFIED.match(value):
        errs.append(LABEL_VALUE_MSG)
    return errs


# Label keys, label values and annotation keys already found valid: every write checks its
# object's labels and annotations again, and a cluster holds few distinct ones (replicas share
# their template's). Each set starts over past KNOWN_VALID_MAX strings.
KNOWN_VALID_MAX = 50_000
_VALID_LABEL_KEYS: set[str] = set()
_VALID_LABEL_VALUES: set[str] = set()
_VALID_ANNOTATION_KEYS: set[str] = set()


def _known_valid(known: set[str], value: str) -> None:
    if len(known) >= KNOWN_VALID_MAX:
        known.clear()
    known.add(value)


def labels_causes(labels: dict[str, str], path: str) -> list[tuple[str, str]]:
    """``ValidateLabels``: each key a qualified name, each value a label value; the causes name
    the map (``metadata.labels``), not the key, as the apiserver's do."""
    causes: list[tuple[str, str]] = []
    keys, values = _VALID_LABEL_KEYS, _VALID_LABEL_VALUES
    for key, value in labels.items():
        if key in keys and value in values:
            continue
        bad_key, bad_value = qualified_name(key), label_value(value)
        if bad_key:
            causes += invalid_causes(path, key, bad_key)
        elif type(key) is str:
            _known_valid(keys, key)
        if bad_value:
            causes += invalid_causes(path, value, bad_value)
        elif type(value) is str:
            _known_valid(values, value)
    return causes


def annotations_causes(annotations: dict[str, str], path: str) -> list[tuple[str, str]]:
    """``ValidateAnnotations``' keys: qualified names whatever their case (checked lower-cased)."""
    causes: list[tuple[str, str]] = []
    known = _VALID_ANNOTATION_KEYS
    for key in annotations:
        if key in known:
            continue
        bad = qualified_name(key.lower())
        if bad:
            causes += invalid_causes(path, key, bad)
        elif type(key) is str:
            _known_valid(known, key)
    return causes


def path_segment(value: str) -> list[str]:
    """``path.IsValidPathSegmentName`` (RBAC objects' names, ``system:node`` among them)."""
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [m for m, hit in (("may not contain '/'", "/" in value), ("may not contain '%'", "%" in value)) if hit]


def port_name(value: str) -> list[str]:
    """``IsValidPortName``: an IANA_SVC_NAME (a container port's name)."""
    errs = []
    if len(value) > PORT_NAME_MAX:
        errs.append(max_len(PORT_NAME_MAX))
    if not _PORT_CHARS.match(value):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _ONE_LETTER.search(value):
        errs.append("must contain at least one letter (a-z)")
    if "--" in value:
        errs.append("must not contain consecutive hyphens")
    if value and (value[0] == "-" or value[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


# What each kind's metadata.name must be (ValidateXName in pkg/apis/*/validation); the rest are
# DNS-1123 subdomains (NameIsDNSSubdomain).
NAME_RULES = {
    "Service": dns1035_label,
    "Namespace": dns1123_label,
    "Role": path_segment, "ClusterRole": path_segment, "RoleBinding": path_segment,
    "ClusterRoleBinding": path_segment,
}


def object_name(kind: str, name: str) -> list[str]:
    return NAME_RULES.get(kind, dns1123_subdomain)(name)


def invalid_causes(path: str, value: str, messages: list[str]) -> list[tuple[str, str]]:
    """One ``field.Invalid`` cause per message."""
    return [(path, f"Invalid value: {go_quote(value)}: {m}") for m in messages]


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(value: str) -> str:
    """Go's ``%q`` of a string, as ``field.Invalid`` prints it: quotes and backslashes escaped,
    control characters too, printable Unicode as it is."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(_GO_ESCAPES.get(ch) or
                       (f"\\x{ord(ch):02x}" if ord(ch) < 0x80 else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000
                        else f"\\U{ord(ch):08x}"))
    return '"' + "".join(out) + '"'

