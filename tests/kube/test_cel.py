"""kube/cel.py: CEL as admission policies evaluate it, with cel-go's values and messages."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k9py.kube import cel

DEPLOYMENT = {"metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}},
              "spec": {"replicas": 3, "template": {"spec": {"containers": [
                  {"name": "app", "image": "nginx:1.27"}, {"name": "side", "image": "busybox"}]}}}}


def run(source: str, **activation: object) -> object:
    return cel.compile(source).evaluate({"object": DEPLOYMENT, **activation})


@pytest.mark.parametrize(("source", "value"), [
    ("object.spec.replicas <= 5", True),
    ("object.spec.replicas > 5", False),
    ("has(object.spec.paused)", False),
    ("has(object.metadata.labels.tier)", True),
    ("object.spec.template.spec.containers.all(c, c.image.contains(':'))", False),
    ("object.spec.template.spec.containers.exists(c, c.name == 'side')", True),
    ("object.spec.template.spec.containers.exists_one(c, c.image.startsWith('nginx'))", True),
    ("object.spec.template.spec.containers.map(c, c.name).join(', ')", "app, side"),
    ("object.spec.template.spec.containers.filter(c, c.image.endsWith('box')).size()", 1),
    ("object.metadata.labels.map(k, k + '=' + object.metadata.labels[k])", ["app=web", "tier=front"]),
    ("size(object.metadata.labels) == 2 && 'app' in object.metadata.labels", True),
    ("object.spec.replicas in [1, 2, 3]", True),
    ("1 + 2 * 3 - -4", 11),
    ("7 / -2", -3),  # truncated toward zero, as Go
    ("-7 % 2", -1),
    ("1 == 1.0 && 2u == 2", True),  # numbers compare by value across types
    ("'a' == 1", False),
    ("[1, [2]] == [1, [2]] && {'a': 1} == {'a': 1}", True),
    ("true ? 'yes' : 'no'", "yes"),
    ("'abc'.matches('^a.c$') && matches('xyz', 'y')", True),
    ("'Hello'.lowerAscii() + 'x'.upperAscii()", "helloX"),
    ("'a,b,c'.split(',')", ["a", "b", "c"]),
    ("'a,b,c'.split(',', 2)", ["a", "b,c"]),
    ("'  x '.trim().size()", 1),
    ("'banana'.replace('a', 'o', 2)", "bonona"),
    ("'banana'.indexOf('an') + 'banana'.lastIndexOf('an')", 4),
    ("'kubernetes'.substring(4, 7)", "rne"),
    ("[3, 1, 2].sum() + [3, 1, 2].min() + [3, 1, 2].max()", 10),
    ("[1, 2, 2].isSorted() && ![2, 1].isSorted()", True),
    ("int('42') + int(2.9) + int(2u)", 46),
    ("string(15) + string(true) + string(1.5)", "15true1.5"),
    ("double(1) / 4.0", 0.25),
    ("type(1) == int && type('') == string && type([]) == list", True),
    ("'''it's''' + r'\\d' + '\\u00e9'", "it's\\dé"),
    ("b'abc'.size()", 3),
    ("null == null", True),
    ("dyn(object.spec).replicas", 3),
])
def test_expressions_evaluate_to_what_cel_go_gives(source, value):
    assert run(source) == value


@pytest.mark.parametrize(("source", "message"), [
    ("object.spec.paused == true", "no such key: paused"),
    ("object.spec.template.spec.containers[5]", "index out of range: 5"),
    ("1 / 0", "division by zero"),
    ("5 % 0", "modulus by zero"),
    ("9223372036854775807 + 1", "integer overflow"),
    ("1 + 1u", "no such overload: _+_(int, uint)"),
    ("'a' < 1", "no such overload: _<_(string, int)"),
    ("object.spec.replicas.size()", "no such overload: size(int)"),
    ("{'a': 1, 'a': 2}", "Failed with repeated key: a"),
    ("int('x')", "cannot convert 'x' to int"),
    ("'x'.matches('(?=a)')", "invalid regex: error parsing regexp: invalid perl operator: (?="),
    ("'x'.matches('(a')", "invalid regex: error parsing regexp: missing ): (a"),
])
def test_runtime_errors_say_what_cel_go_says(source, message):
    with pytest.raises(cel.CelError, match=re.escape(message)):
        run(source)


def test_matches_is_re2_linear_time_and_takes_the_usual_name_patterns():
    """Python's engine backtracked (a.*a.*a.*a.*a.*b: seconds on 100 characters, under the server's
    lock) and refusing nested repetitions refused the DNS-1123 subdomain pattern; RE2 takes both."""
    dns = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
    assert run(f"'web.example.com'.matches('{dns}') && !'Web_1'.matches('{dns}')") is True
    assert run(r"'10.0.0.1'.matches('^(\\d+\\.){3}\\d+$')") is True
    long = {"text": "a" * 20_000}
    assert cel.compile("object.text.matches('a.*a.*a.*a.*a.*b') || (object.text + '!').matches('(a+)+$')").evaluate(
        {"object": long}) is False


def test_or_and_and_absorb_an_error_on_either_side():
    """CEL's logical operators commute: a decisive side wins over an error on the other."""
    assert run("object.spec.missing > 1 || true") is True
    assert run("true || object.spec.missing > 1") is True
    assert run("object.spec.missing > 1 && false") is False
    with pytest.raises(cel.CelError, match="no such key: missing"):
        run("object.spec.missing > 1 || false")
    # all() is false when any element is, whatever errors others gave; exists() true likewise
    assert run("[0, 1].all(x, 1 / x > 0 && false)") is False
    assert run("[0, 1].exists(x, 1 / x > 0)") is True


def test_syntax_errors_and_undeclared_names_fail_to_compile_with_their_column():
    with pytest.raises(cel.CelSyntaxError, match=r"^ERROR: <input>:1:23: Syntax error: mismatched input '<EOF>'"):
        cel.compile("object.spec.replicas <=")
    with pytest.raises(cel.CelSyntaxError, match=r"^ERROR: <input>:1:0: undeclared reference to 'obj' \(in container ''\)"):
        cel.compile("obj.spec.replicas < 5", {"object"})
    # a macro's variable is declared inside it only
    cel.compile("object.items.all(i, i > 0)", {"object"})
    with pytest.raises(cel.CelSyntaxError, match="undeclared reference to 'i'"):
        cel.compile("object.items.all(i, i > 0) && i > 0", {"object"})
    with pytest.raises(cel.CelSyntaxError, match="reserved identifier: var"):
        cel.compile("var")


@pytest.mark.parametrize(("source", "value"), [
    ("-0x10", -16),
    ("string(1.0) + ' ' + string(100000.0) + ' ' + string(1e6) + ' ' + string(0.00001)", "1 100000 1e+06 1e-05"),
    ("{'a': {}}.?a.b.orValue(5)", 5),  # optional once a chain is: x.?a.b is x.?a.?b
])
def test_cel_go_details(source, value):
    assert cel.compile(source).evaluate({}) == value


@pytest.mark.parametrize(("source", "message"), [
    ("{true: 'x'}[1]", "no such key: 1"),
    ("-9223372036854775808 % -1", "integer overflow"),
    ("int('1_000')", "cannot convert '1_000' to int"),
    ("double(' 1')", "cannot convert ' 1' to double"),
])
def test_cel_go_refusals(source, message):
    with pytest.raises(cel.CelError, match=re.escape(message)):
        cel.compile(source).evaluate({})


def test_surrogate_escapes_and_unknown_functions_do_not_compile():
    for escape in ("'\\ud800'", "b'\\U0000d800'"):
        with pytest.raises(cel.CelSyntaxError, match="invalid unicode code point"):
            cel.compile(escape)
    with pytest.raises(cel.CelSyntaxError, match="undeclared reference to 'startswith'"):
        cel.compile("object.metadata.name.startswith('a')", {"object"})
    cel.compile("object.metadata.name.startsWith('a')", {"object"})


def test_nesting_and_work_are_bounded_as_the_apiserver_bounds_them():
    with pytest.raises(cel.CelSyntaxError, match="recursion limit"):
        cel.compile("(" * 200 + "1" + ")" * 200)
    with pytest.raises(cel.CelSyntaxError, match="too deeply nested"):
        cel.compile(" + ".join(["1"] * 2000))
    assert cel.compile(" + ".join(["1"] * 200)).evaluate({}) == 200
    ten = "[" + ", ".join(map(str, range(10))) + "]"
    explosion = f"{ten}.map(a, {ten}.map(b, {ten}.map(c, {ten}.map(d, {ten}.map(e, {ten}.map(f, 1))))))"
    with pytest.raises(cel.CelError, match="actual cost limit exceeded"):
        cel.compile(explosion).evaluate({})


_TOKENS = ["object", "spec", "replicas", "metadata", "labels", ".", "(", ")", "[", "]", "{", "}", ",", ":", "?",
           "+", "-", "*", "/", "%", "!", "&&", "||", "==", "<", ">=", " in ", "1", "0", "2.5", "7u", "'a'", "b'x'",
           "true", "null", "size", "all", "map", "x", "has", "matches", "'(a+)+$'", "int", "string", "split", "join",
           "quantity", "'1Gi'", "compareTo", "optional", "of", "orValue", "duration", "timestamp", "'1h'"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=14))
def test_any_input_compiles_or_evaluates_to_a_value_or_a_cel_error(tokens):
    """Bad input never escapes as a Python exception: a syntax error, an evaluation error, or a value."""
    source = "".join(t if t in ".()[]{}," else f" {t} " for t in tokens)
    try:
        program = cel.compile(source)
    except cel.CelSyntaxError:
        return
    with contextlib.suppress(cel.CelError):
        program.evaluate({"object": DEPLOYMENT, "x": [1, "a", None, {"k": [2]}]})


@pytest.mark.parametrize(("source", "value"), [
    ("object.metadata.?labels.?app.orValue('none')", "web"),
    ("object.metadata.?annotations.?owner.orValue('none')", "none"),
    ("object.metadata.?labels[?'tier'].hasValue()", True),
    ("object.?spec.?paused.orValue(false)", False),
    ("object.spec.template.spec.containers[?5].orValue({}).size()", 0),
    ("object.?metadata.?labels.app.value()", "web"),  # a selection on an optional applies inside it
    ("optional.of(1).value() + optional.none().orValue(2)", 3),
    ("object.?spec.?missing.or(optional.of(3)).value()", 3),
    ("optional.ofNonZeroValue('').hasValue()", False),
])
def test_optionals_select_what_may_be_absent(source, value):
    assert cel.compile(source, {"object"}).evaluate({"object": DEPLOYMENT}) == value
    with pytest.raises(cel.CelError, match=re.escape("optional.none() dereference")):
        cel.compile("object.?spec.?paused.value()").evaluate({"object": DEPLOYMENT})


@pytest.mark.parametrize(("source", "value"), [
    ("quantity('1Gi').compareTo(quantity('1024Mi'))", 0),
    ("quantity('500m').isLessThan(quantity('1')) && quantity('2').isGreaterThan(quantity('1500m'))", True),
    ("quantity('2Gi').add(quantity('1Gi')).asInteger()", 3 * 2**30),
    ("quantity('1').sub(1).sign()", 0),
    ("quantity('1.5').isInteger()", False),
    ("quantity('1.5').asApproximateFloat()", 1.5),
    ("isQuantity('abc') || !isQuantity('100m')", False),
    ("quantity('1k') == quantity('1000')", True),
    ("object.spec.template.spec.containers.all(c, !has(c.resources) || "
     "quantity(c.resources.limits.memory).compareTo(quantity('1Gi')) <= 0)", True),
])
def test_quantities_compare_as_kubernetes_cel_library_does(source, value):
    assert cel.compile(source, {"object"}).evaluate({"object": DEPLOYMENT}) == value


def test_a_malformed_quantity_is_an_evaluation_error():
    with pytest.raises(cel.CelError, match="quantities must match the regular expression"):
        cel.compile("quantity('lots')").evaluate({})


def test_equality_and_built_values_are_charged_and_a_request_shares_one_budget():
    data = {"data": {f"k{i}": "v" for i in range(2000)}, "text": "a" * 2000, "big": "b" * 10_000}
    with pytest.raises(cel.CelError, match="actual cost limit exceeded"):  # 2,000 comparisons of 2,000 values
        cel.compile("object.data.all(k, object.data == object.data)").evaluate({"object": data})
    with pytest.raises(cel.CelError, match="a value too large to build"):  # 20 million characters
        cel.compile("object.text.replace('a', object.big)").evaluate({"object": data})
    with pytest.raises(cel.CelError, match="a value too large to build"):  # 1,100 × 10,000 characters
        cel.compile("object.text.split('').map(x, object.big).join('') + ''").evaluate(
            {"object": {**data, "text": "a" * 1100}})
    counting = cel.compile("[1, 2, 3, 4, 5, 6, 7, 8].map(x, x * 2).size()")
    with cel.request_budget(steps=50):
        assert counting.evaluate({}) == 8  # (35 steps)
        with pytest.raises(cel.CelError, match="the request's budget"):
            counting.evaluate({})
    assert counting.evaluate({}) == 8  # outside a request: its own limit only


CREATED = {"metadata": {"creationTimestamp": "2026-12-01T10:00:00Z"}, "spec": {"timeout": "90s"}}


@pytest.mark.parametrize(("source", "value"), [
    ("timestamp(object.metadata.creationTimestamp) < timestamp('2026-12-02T00:00:00Z')", True),
    ("string(timestamp('2026-12-02T00:00:00Z') - timestamp(object.metadata.creationTimestamp))", "50400s"),
    ("duration(object.spec.timeout) <= duration('2m') && duration('1s') == duration('1000ms')", True),
    ("string(duration('1h30m')) + ' ' + string(duration('-1.5s'))", "5400s -1.5s"),
    ("duration('1.5s').getMilliseconds() + duration('2h').getMinutes()", 1620),
    ("string(timestamp(object.metadata.creationTimestamp) + duration('36h'))", "2026-12-02T22:00:00Z"),
    ("string(timestamp('2026-12-01T10:00:00.25+01:00'))", "2026-12-01T09:00:00.25Z"),
    ("timestamp(object.metadata.creationTimestamp).getDayOfWeek()", 2),  # a Tuesday (0 is Sunday)
    ("timestamp('2026-12-01T10:00:00Z').getHours('+05:30')", 15),
    ("timestamp('2026-12-01T10:00:00Z').getMonth() + timestamp('2026-12-01T10:00:00Z').getDayOfMonth()", 11),
    ("int(timestamp('1970-01-01T00:01:00Z'))", 60),
])
def test_timestamps_and_durations_as_cel_go(source, value):
    assert cel.compile(source, {"object"}).evaluate({"object": CREATED}) == value


@pytest.mark.parametrize(("source", "message"), [
    ("duration('1d')", 'invalid duration: time: invalid duration "1d"'),  # Go's units stop at h
    ("timestamp('2026-13-01T00:00:00Z')", 'invalid timestamp "2026-13-01T00:00:00Z"'),
    ("duration('1s') + 1", "no such overload: _+_(google.protobuf.Duration, int)"),
    ("timestamp('2026-12-01T10:00:00Z') < duration('1s')", "no such overload: _<_"),
])
def test_time_refusals(source, message):
    with pytest.raises(cel.CelError, match=re.escape(message)):
        cel.compile(source).evaluate({})
