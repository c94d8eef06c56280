"""benchmarks.yaml (k9s's per-context file): what `b` sends, and one line naming the file, the
line and the field for what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from k9py.config import benchmarks, locations
from k9py.config.benchmarks import BenchSpec, pod_key, spec_for
from k9py.config.yamlfile import ConfigError

GOOD = """\
benchmarks:
  defaults:
    concurrency: 4
    requests: 1000
  services:
    default/nginx:
      concurrency: 2
  containers:
    default/nginx:nginx:
      concurrency: 10
      requests: 1500
      http:
        method: post
        host: 10.10.10.10
        path: /zorg
        http2: false
        body: |-
          {"fred": "blee"}
        headers:
          Accept:
            - text/html
          Content-Type: application/json
      auth:
        user: fred
        password: blee
    default/web:sidecar:
      requests: 5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "benchmarks.yaml"
    path.write_text(text)
    return path


def test_the_file_sits_beside_the_contexts_config_and_reports_go_under_the_state_dir() -> None:
    assert locations.benchmarks_file("kind-dev", "kind") == locations.context_file("kind-dev", "kind").with_name("benchmarks.yaml")
    assert locations.benchmarks_file("arn:aws:eks:eu-west-1:1:cluster/prod", "prod").parts[-3:] == \
        ("prod", "arn-aws-eks-eu-west-1-1-cluster-prod", "benchmarks.yaml")  # k9s's names (its SanitizeFileName)
    assert locations.benchmarks_dir("kind-dev", "a/b").parts[-3:] == ("benchmarks", "kind-dev", "a-b")


def test_a_containers_entry_is_found_by_k9s_key_and_defaults_fill_the_rest(tmp_path: Path) -> None:
    data = benchmarks.load(write(tmp_path, GOOD))
    assert pod_key("default", "nginx-7c5ddbdf54-x8f9q", "nginx") == "default/nginx:nginx"
    assert pod_key("default", "nginx-fdc5b4bc9-4b6hm", "nginx") == "default/nginx:nginx"  # a 9-character hash
    assert pod_key("default", "web", "nginx") == "default/web:nginx"
    spec = spec_for(data, "default", "nginx-7c5ddbdf54-x8f9q", "nginx")
    assert spec == BenchSpec(concurrency=10, requests=1500, method="POST", host="10.10.10.10", path="/zorg",
                             body='{"fred": "blee"}', headers=(("Accept", "text/html"),
                                                               ("Content-Type", "application/json")),
                             user="fred", password="blee")
    assert spec_for(data, "default", "web", "sidecar") == BenchSpec(concurrency=4, requests=5)
    assert spec_for(data, "default", "web", "nginx") == BenchSpec(concurrency=4, requests=1000)
    assert spec_for({}, "default", "web", "nginx") == BenchSpec(concurrency=2, requests=200)  # k9s's template
    assert benchmarks.load(tmp_path / "none.yaml") == {}


@pytest.mark.parametrize(("text", "error"), [
    ("benchmarks:\n  defaults:\n    concurency: 3\n",
     ":3: benchmarks.defaults.concurency: unknown key (did you mean concurrency?)"),
    ("benchmarks:\n  defaults:\n    requests: 0\n",
     ":3: benchmarks.defaults.requests: 0 is out of range (1 to 1000000)"),
    ("benchmarks:\n  containers:\n    default/x:y:\n      http:\n        headers:\n          Accept: {a: b}\n",
     ":6: benchmarks.containers.default/x:y.http.headers.Accept: must be a list of strings, not a mapping"),
    ("benchmarks:\n  containers:\n    default/x:y:\n      http:\n        method: GET ME\n",
     ":5: benchmarks.containers.default/x:y.http.method: 'GET ME' is not an HTTP method"),
    ("benchmarks: [1\n", ":2: yaml: "),
])
def test_a_wrong_file_is_one_line_naming_the_line_and_the_field(tmp_path: Path, text: str, error: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        benchmarks.load(path)
    assert str(err.value).startswith(f"{path}{error}") and "\n" not in str(err.value)


def test_a_benchmarks_file_that_is_a_directory_or_a_broken_link_is_its_error(tmp_path: Path) -> None:
    """benchmarks.yaml as a directory or a link to nothing was read as no file (`b` used the
    defaults, info listed nothing wrong): it is the file's one-line error, as config.yaml's is."""
    path = tmp_path / "benchmarks.yaml"
    path.mkdir()
    with pytest.raises(ConfigError, match=r"benchmarks\.yaml: is a directory, not a YAML file$"):
        benchmarks.load(path)
    path.rmdir()
    path.symlink_to(tmp_path / "nowhere.yaml")
    with pytest.raises(ConfigError, match=r"benchmarks\.yaml: no such file: a symbolic link to .*, which is not there$"):
        benchmarks.load(path)
    path.unlink()
    assert benchmarks.load(path) == {}
