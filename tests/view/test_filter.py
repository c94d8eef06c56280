import pytest

from k9py.view.filter import fuzzy_match, parse, search_regex

POD = {"metadata": {"name": "nginx-deployment-abc", "labels": {"app": "nginx", "tier": "web"}}}
OTHER = {"metadata": {"name": "counter", "labels": {"run": "counter"}}}


def test_empty_filter_matches_everything():
    f = parse("")
    assert not f and f.matches("anything", "x", OTHER)
    assert not parse("/")


def test_regex_is_case_insensitive_over_the_row_text():
    f = parse("NGINX")
    assert f.mode == "regex"
    assert f.matches("nginx-deployment-abc 1/1 Running", "nginx-deployment-abc", POD)
    assert not f.matches("counter 1/1 Running", "counter", OTHER)
    assert parse("run.*ing").matches("counter 1/1 Running 0", "counter", OTHER)
    assert parse("1/1 running").matches("counter 1/1 Running 0", "counter", OTHER)


def test_bad_regex_falls_back_to_a_literal():
    f = parse("nginx(")
    assert f.matches("my nginx(x) row", "x", POD) and not f.matches("nginx", "x", POD)


def test_an_invalid_regex_says_so():
    """`/[` does not silently show an empty table: the filter carries the error to flash."""
    assert parse("[").error == "invalid regex: unterminated character set at position 0"
    assert parse("!nginx(").error.startswith("invalid regex: missing )")
    assert parse("nginx(").mode == "regex" and parse("!a[").mode == "inverse"
    for good in ("nginx", "ng.*x", "!nginx", "[a-z]+", "-f ngx", "-l app=nginx", ""):
        assert parse(good).error is None, good


def test_a_half_typed_selector_errs_until_it_parses():
    assert parse("-l app in (nginx").error
    assert parse("-l app in (nginx)").error is None


def test_inverse():
    f = parse("!nginx")
    assert f.mode == "inverse"
    assert f.matches("counter 1/1", "counter", OTHER)
    assert not f.matches("nginx-deployment-abc 1/1", "nginx-deployment-abc", POD)


def test_labels():
    f = parse("-l app=nginx")
    assert f.mode == "labels" and f.matches("", "", POD) and not f.matches("", "", OTHER)
    assert parse("-l tier in (web,api),app").matches("", "", POD)
    assert parse("-l app!=nginx").matches("", "", OTHER)
    bad = parse("-l app==(")
    assert bad.error and not bad.matches("", "", POD)


def test_fuzzy_matches_name_subsequence():
    assert fuzzy_match("ngdp", "nginx-deployment-abc")
    assert not fuzzy_match("dpng", "nginx-deployment-abc")
    f = parse("-f ngx")
    assert f.mode == "fuzzy" and f.matches("", "nginx-deployment-abc", POD) and not f.matches("", "counter", OTHER)


CATASTROPHIC = ["(a+)+$", "(a*)*b", "(a|a)+$", "((ab)*)+$", "(.*a){20}", r"(\w+\s?)+$", "(x+x+)+y", "(a|)+$"]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_a_regex_that_backtracks_for_hours_is_matched_as_text(pattern):
    """k9s's Go regexp runs `(a+)+$` in linear time; Python's re took 2**n steps on a name of n
    a's that almost matched (a 40-letter name: days, the app frozen). Such a pattern is said
    in the flash and matched as text, at once, by the filter and the viewers' search."""
    f = parse(pattern)
    assert f.error == "regex repeats a repetition (like (a+)+), which could take hours here: matched as text"
    name = "a" * 60 + "!"
    assert not f.matches(name + " 1/1 Running", name, {})  # returns at once
    assert f.matches(f"x {pattern} y", "x", {})  # the text itself
    assert search_regex(pattern).search(name) is None


@pytest.mark.parametrize("pattern", ["nginx", "ng.*x", "^web-", "(Running|Pending)", "(foo|bar)+", "([a-z]|-)+",
                                     "a+b+c+", r"\d{1,3}", "(ab)+", "[a-z]+-[0-9]+", ".*foo.*bar.*", r"(\w|\d)+$"])
def test_ordinary_regexes_stay_regexes(pattern):
    assert parse(pattern).error is None


def test_a_regex_nested_too_deep_for_the_compiler_is_an_error_not_a_crash():
    """990 nested groups: re.compile raised RecursionError, which ended the app as it was typed."""
    assert parse("(" * 990 + "a" + ")" * 990).error == "invalid regex: too complex"
