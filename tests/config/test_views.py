"""views.yaml, k9s's custom columns, as k9s users write it; what k9py cannot show yet is a warning
naming the file, line and field, and the rest applies."""

import pytest

from k9py.config import views
from k9py.config.user import load_user
from k9py.config.yamlfile import ConfigError
from k9py.view import custom_columns
from k9py.view.custom_columns import ColumnSpec, ViewColumns

K9S = """\
views:
  v1/pods:
    sortColumn: AGE:desc
    columns:
      - AGE
      - NAMESPACE|WR
      - NAME
      - IP
      - NODE|H
      - STATUS
      - READY
      - LABELS:.metadata.labels|W
  apps/v1/deployments:
    columns: [NAME, READY, AGE, PODZ]
  argoproj.io/v1alpha1/applications:
    columns: [NAME, SYNC]
"""


def write(tmp_path, text):
    path = tmp_path / "views.yaml"
    path.write_text(text)
    return path


def test_a_k9s_views_yaml_gives_each_view_its_columns_and_says_what_it_cannot_show(tmp_path):
    path = write(tmp_path, K9S)
    warnings: list[str] = []
    got = views.load(path, warnings)
    assert got == {
        "pods": ViewColumns((ColumnSpec("AGE"), ColumnSpec("NAMESPACE", wide=True), ColumnSpec("NAME"), ColumnSpec("IP"),
                             ColumnSpec("NODE", hidden=True), ColumnSpec("STATUS"), ColumnSpec("READY"),
                             ColumnSpec("LABELS", wide=True, path=".metadata.labels")), ("AGE", False)),
        "deployments": ViewColumns((ColumnSpec("NAME"), ColumnSpec("READY"), ColumnSpec("AGE")))}
    assert warnings == [
        f"{path}:14: views.apps/v1/deployments.columns[3]: deployments has no column PODZ (its columns: NAME, READY, "
        "UP-TO-DATE, AVAILABLE, AGE, CONTAINERS, IMAGES, SELECTOR)",
        f"{path}:15: views.argoproj.io/v1alpha1/applications: no built-in view of that name: not used (k9py reads "
        "the entries of its built-in views, not yet a custom resource's or an alias's)"]


@pytest.mark.parametrize(("text", "message"), [
    ("views:\n  pods:\n    columns: NAME\n", ":3: views.pods.columns: must be a list of column names"),
    ("views:\n  pods:\n    colums: [NAME]\n", ":3: views.pods.colums: unknown field (known: columns, sortColumn)"),
    ("views:\n  pods:\n    sortColumn: AGE\n", ":3: views.pods.sortColumn: 'AGE': must be COLUMN:asc or COLUMN:desc"),
    ("views:\n  pods:\n    columns: [NAME|Q]\n", ":3: views.pods.columns[0]: 'NAME|Q' is not NAME or NAME|FLAGS"),
    ("view:\n  pods: {}\n", ":1: view: unknown field (views.yaml holds `views:`)"),
])
def test_a_wrong_views_yaml_is_one_line_naming_file_line_and_field(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        views.load(path)
    assert str(err.value).startswith(f"{path}{message}")


def test_load_user_reads_views_yaml_and_keeps_its_warnings(tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    write(tmp_path, K9S)
    user = load_user()
    assert list(user.views) == ["pods", "deployments"] and user.files["views"] == tmp_path / "views.yaml"
    assert len(user.warnings) == 2 and "PODZ" in user.warnings[0]


def test_k9s_namespace_entries_are_kept_for_the_namespaces_they_name(tmp_path):
    """k9s v0.40.6: v1/pods@fred, v1/pods@kube* (a regular expression); k9py said 'no built-in view
    of that name' and dropped them."""
    path = write(tmp_path, "views:\n  v1/pods:\n    columns: [NAME, AGE]\n  v1/pods@default:\n    columns: [NAME, IP]\n"
                           "  v1/pods@kube*:\n    columns: [AGE, NAME]\n  pods@(:\n    columns: [NAME]\n")
    warnings: list[str] = []
    got = views.load(path, warnings)
    assert list(got) == ["pods", "pods@default", "pods@kube*"]
    assert len(warnings) == 1 and warnings[0].startswith(f"{path}:8: views.pods@(: '(' is no regular expression")
    pick = custom_columns.pick
    assert pick(got, "pods", "default") is got["pods@default"] and pick(got, "pods", "kube-system") is got["pods@kube*"]
    assert pick(got, "pods", "shop") is got["pods"] and pick(got, "pods", "") is got["pods"]
    assert pick(got, "deployments", "default") is None


def test_a_namespace_expression_is_gos_regexp_in_linear_time(tmp_path):
    """k9s matches VIEW@REGEX with Go's regexp: lookahead is no regular expression there (k9py took
    it), and `.*.*.*.*.*.*.*x` over a 63-letter namespace took Python's re hours as the view opened."""
    path = write(tmp_path, "views:\n  v1/pods@(?=kube):\n    columns: [NAME]\n"
                           "  v1/pods@.*.*.*.*.*.*.*x:\n    columns: [NAME, AGE]\n")
    warnings: list[str] = []
    got = views.load(path, warnings)
    assert list(got) == ["pods@.*.*.*.*.*.*.*x"]
    assert warnings == [f"{path}:2: views.v1/pods@(?=kube): '(?=kube)' is no regular expression (invalid perl "
                        "operator: (?=): not used"]
    assert custom_columns.pick(got, "pods", "a" * 63) is None
    assert custom_columns.pick(got, "pods", "a" * 62 + "x") is got["pods@.*.*.*.*.*.*.*x"]


def test_a_sort_column_the_view_does_not_have_is_one_warning(tmp_path):
    """sortColumn: FOO:asc opened the view on its own sort without a word."""
    path = write(tmp_path, "views:\n  apps/v1/deployments:\n    sortColumn: FOO:asc\n    columns: [NAME, READY]\n"
                           "  v1/pods:\n    sortColumn: restarts:desc\n    columns: [NAME, AGE]\n")
    warnings: list[str] = []
    got = views.load(path, warnings)
    assert got["deployments"].sort is None and got["pods"].sort == ("RESTARTS", False)
    assert warnings == [f"{path}:3: views.apps/v1/deployments.sortColumn: deployments has no column FOO: the view "
                        "opens on its own sort"]


def test_a_k9s_alias_entry_is_said_to_be_unused_not_the_clusters(tmp_path):
    """k9s 0.40.8 reads an entry named after an alias (cool-kid:); k9py said 'its columns are the
    cluster's', which an alias has not."""
    path = write(tmp_path, "views:\n  cool-kid:\n    columns: [AGE, NAMESPACE|WR]\n")
    warnings: list[str] = []
    assert views.load(path, warnings) == {}
    assert warnings == [f"{path}:2: views.cool-kid: no built-in view of that name: not used (k9py reads the entries "
                        "of its built-in views, not yet a custom resource's or an alias's)"]


def test_k9s_readme_jsonpath_columns_are_read_as_k9s_reads_them(tmp_path):
    """k9s 0.40's NAME:JSONPATH|FLAGS (kubectl's relaxed paths: a.b, .a.b, {.a.b}; \\. escapes a dot
    in a name; |T a time): every one was 'a JSONPath column: not shown'. A jq one, or a path that
    does not parse, is one warning; a sortColumn may name a JSONPath column."""
    path = write(tmp_path, "views:\n  v1/pods:\n    sortColumn: zorg:desc\n    columns:\n"
                           "      - ZORG:.metadata.labels.fred\\.io\\.kubernetes\\.blee\n"
                           "      - BLEE:{.metadata.annotations.blee}|R\n"
                           "      - NAME\n"
                           "      - START:status.startTime|TW\n"
                           "      - 'JQ:.metadata | .name | ascii'\n"
                           "      - BAD:.spec[x\n")
    warnings: list[str] = []
    got = views.load(path, warnings)
    assert got == {"pods": ViewColumns((
        ColumnSpec("ZORG", path=".metadata.labels.fred\\.io\\.kubernetes\\.blee"),
        ColumnSpec("BLEE", path=".metadata.annotations.blee"), ColumnSpec("NAME"),
        ColumnSpec("START", wide=True, path=".status.startTime", time=True)), ("ZORG", False))}
    assert [w.split(": ", 1)[0] for w in warnings] == [f"{path}:9", f"{path}:10"]
    assert "a jq column" in warnings[0] and "'.spec[x' is no JSONPath (unclosed array expect ])" in warnings[1]
