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
    assert parse("[").error == "invalid regex: missing ]: ["
    assert parse("!nginx(").error == "invalid regex: missing ): nginx("
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


A = "a" * 1000
CATASTROPHIC = [  # (pattern, a row it almost matches, a row it matches)
    ("(a+)+$", A + "!", "aaaa"), ("(a*)*b", A, "aab"), ("(a|a)+$", A + "!", "aa"), ("((ab)*)+c", "ab" * 500, "abc"),
    ("(.*a){20}b", A, "a" * 20 + "b"), (r"^(\w+\s?)+$", "ab cd " * 200 + "!", "ab cd"), ("(x+x+)+y", "x" * 1000, "xxy"),
    ("(a|)+!", A, "a!"), ("(a?){40}a{40}", "a" * 39, "a" * 40), (".*.*.*.*.*.*b", A, "ab"),
    (r"\w*\w*\w*\w*\w*\w*!", A, "ab!")]


@pytest.mark.parametrize(("pattern", "almost", "kept"), CATASTROPHIC, ids=[c[0] for c in CATASTROPHIC])
def test_a_regex_that_backtracks_for_hours_in_python_is_a_regex_in_linear_time(pattern, almost, kept):
    """k9s's Go regexp runs `(a+)+$` in linear time; Python's re took 2**n steps on a name of n
    a's that almost matched (a 40-letter name: days, the app frozen), and `.*.*.*.*.*.*b` took
    n**6 on any row without a b: hours on one 1,000-character log line. They are RE2 regexes, as in
    k9s: each row that almost matches answers at once, and those that match are kept."""
    f = parse(pattern)
    assert f.error is None
    assert not f.matches(almost + " 1/1 Running", almost, {})
    assert search_regex(pattern).search(almost) is None
    assert f.matches(kept, kept, {})


def test_a_regex_go_does_not_take_is_matched_as_text_as_k9s_refuses_it():
    """Lookaround and backreferences are no Go (RE2) syntax: k9s says so; Python's re took them, and
    a backreference backtracks for ever too. Said in the flash, matched as text."""
    assert parse("(?=nginx)").error == "invalid regex: invalid perl operator: (?="
    assert parse(r"(a*)*\1").error == r"invalid regex: invalid escape sequence: \1"
    assert parse("(?=nginx)").matches("a (?=nginx) row", "x", {})
    assert not parse("(?=nginx)").matches("nginx", "nginx", {})


@pytest.mark.parametrize("pattern", ["nginx", "ng.*x", "^web-", "(Running|Pending)", "(foo|bar)+", "([a-z]|-)+",
                                     "a+b+c+", r"\d{1,3}", "(ab)+", "[a-z]+-[0-9]+", ".*foo.*bar.*", r"(\w|\d)+$"])
def test_ordinary_regexes_stay_regexes(pattern):
    assert parse(pattern).error is None


def test_a_regex_nested_too_deep_or_too_big_is_an_error_not_a_crash():
    """990 nested groups: re.compile raised RecursionError, which ended the app as it was typed.
    RE2 takes them; a pattern beyond its memory bound is said and matched as text."""
    assert parse("(" * 990 + "a" + ")" * 990).matches("a", "a", {})
    huge = parse("a" * 1_000_000)
    assert huge.error == "invalid regex: pattern too large - compile failed"
    assert huge.matches("a" * 1_000_000, "x", {}) and not huge.matches("a", "a", {})
