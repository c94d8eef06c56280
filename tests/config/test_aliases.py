"""aliases.yaml in k9s's format: commands the prompt accepts, checked against the kind registry,
each problem one line with its file and line."""

import pytest

from k9py.config import aliases
from k9py.config.aliases import AliasError, check_command, resolve
from k9py.config.yamlfile import ConfigError

K9S_FILE = """\
# $XDG_CONFIG_HOME/k9s/aliases.yaml, as the k9s docs write it
aliases:
  # Use pp as an alias for Pod
  pp: v1/pods
  # Use dep as an alias for Deployments
  dep: apps/v1/deploy
  crb: rbac.authorization.k8s.io/v1/clusterrolebindings
  fred: pod fred app=blee
  fw: fred /web
  gr: gitrepos.fleet.cattle.io
  cls: fleet.cattle.io/v1alpha1/clusters
  dp: statefulsets
  po: po all
  xd: xray deploy
"""


def load(tmp_path, text, name="aliases.yaml"):
    f = tmp_path / name
    f.write_text(text)
    return f, aliases.load(f)


def test_a_k9s_aliases_file_loads_as_written(tmp_path):
    _, found = load(tmp_path, K9S_FILE)
    assert found["pp"] == "v1/pods" and found["fred"] == "pod fred app=blee" and found["dp"] == "statefulsets"
    assert len(found) == 10


def test_k9s_older_alias_key_is_read(tmp_path):
    _, found = load(tmp_path, "alias:\n  pp: v1/pods\n", "alias.yml")
    assert found == {"pp": "v1/pods"}


def test_aliases_expand_through_each_other_arguments_first():
    user = {"fred": "pod fred app=blee", "fw": "fred /web", "po": "po all"}
    assert resolve("fred", user) == "pod fred app=blee"
    assert resolve(":fw kube-system", user) == "pod fred app=blee /web kube-system"
    assert resolve("po", user) == "po all"  # its own name: the built-in view
    assert resolve("deploy", user) == "deploy"
    with pytest.raises(AliasError, match="alias cycle: zz -> yy -> zz"):
        resolve("zz", {"zz": "yy", "yy": "zz"})
    assert resolve("x", {"x": "y", "y": "x"}) == "x"  # `x` is also the built-in :xray (k9s's)
    assert resolve("a", {"a": "b", "b": "a"}) == "a"  # `a` is also the built-in :aliases


@pytest.mark.parametrize(("text", "line", "words"), [
    ("aliases: [pp]\n", 1, "aliases: must be a mapping, not a list"),
    ("- pp\n", 1, "must be a mapping, not a list"),
    ("aliases:\n  pp: v1/pods\n  qq:\n", 3, "aliases.qq: must be a command (a string), not null"),
    ("aliases:\n  pp: \"  \"\n", 2, "aliases.pp: empty command"),
    ("aliases:\n  pp: [v1/pods]\n", 2, "aliases.pp: must be a command (a string), not a list"),
    ("aliases:\n  pp: v1/podz\n", 2, "aliases.pp: `v1/podz` names no view"),
    ("aliases:\n  pp: podz -n kube-system\n", 2, "aliases.pp: `podz` names no view (a custom resource is written"),
    ("aliases:\n  pp: apps/v2/deployments\n", 2, "`apps/v2/deployments` names no view"),
    ("aliases:\n  ok: pods\n  zz: yy\n  yy: zz\n", 3, "aliases.zz: alias cycle: zz -> yy -> zz"),
    ("alias:\n  pp: v1/pods\nskins: x\n", 3, "skins: unknown key"),
])
def test_each_problem_is_one_line_with_its_line(tmp_path, text, line, words):
    f = tmp_path / "aliases.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        aliases.load(f)
    assert err.value.line == line, str(err.value)
    assert words in str(err.value) and str(err.value).startswith(f"{f}:{line}: ") and "\n" not in str(err.value)


def test_a_command_names_a_view_a_custom_resource_or_a_prompt_command():
    assert check_command("v1/secrets") is None and check_command("deployments.apps kube-system") is None
    assert check_command("notebooks.kubeflow.org") is None  # discovery will find it, or say so
    assert check_command("pulses") is None and check_command("ctx") is None and check_command("q") is None
    assert check_command("pp", {"pp": "v1/pods"}) is None
    assert "names no view" in (check_command("pods.apps") or "")  # a built-in group has no such view
    # Kubernetes's own resources with no view of their own: the prompt opens them from discovery
    for command in ("pdb", "networkpolicies", "networkpolicies.networking.k8s.io", "policy/v1/poddisruptionbudgets",
                    "networking.k8s.io/v1/networkpolicies", "autoscaling/v1/hpa", "coordination.k8s.io/v1/leases -A"):
        assert check_command(command) is None, command
    for command in ("networking.k8s.io/v2/networkpolicies", "networking.k8s.io/v1/widgets", "v1/poddisruptionbudgets",
                    "a/b/c/d"):
        assert "names no view" in (check_command(command) or ""), command
    assert "names no view" in (check_command("widgets") or "")


def test_no_and_yes_are_alias_names_as_in_k9s(tmp_path):
    """`no: nodes` (kubectl's short name for nodes) was YAML 1.1's false to k9py: "aliases: a key
    must be a string"; k9s (yaml.v3, YAML 1.2) reads it as the alias no."""
    _, found = load(tmp_path, "aliases:\n  no: nodes\n  on: pods\n  yes: deploy\n")
    assert found == {"no": "nodes", "on": "pods", "yes": "deploy"}
