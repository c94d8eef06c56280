"""Plugins without a UI: which views offer them (scopes) and what they run for the row under the
cursor (k9s's variables, expanded as k9s's Env.Substitute does, never split or run as code)."""

import subprocess

import pytest

from k9py.config.plugins import Plugin, PluginInput
from k9py.explorer import plugins as core
from k9py.explorer.plugins import PluginError, Target
from k9py.kube.resources import ApiResource
from k9py.view import kinds
from k9py.view.custom_columns import ColumnSpec, ViewColumns
from k9py.view.kinds import BY_NAME
from k9py.view.rows import RowModel, expand_containers
from tests.samples import small_cluster

TARGET = Target("/tmp/k9py-plugins-x/kubeconfig", "k9py-sim", "minikube", "k9py", export_kubeconfig=True)


def plugin(*args, scopes=("pods",), command="kubectl", **kw):
    return Plugin("p", "ctrl+y", "P", command, scopes=tuple(scopes), args=tuple(args), **kw)


def pods_model(cluster, ns="default"):
    m = RowModel(BY_NAME["pods"], all_namespaces=not ns)
    m.now = cluster.now()
    m.load({(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in cluster.store.list("Pod", ns or None)})
    return m


def row(m, name):
    return next(m.row_at(i) for i in range(len(m)) if m.row_at(i).key[1] == name)


# -- scopes ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("scopes", "view", "offered"), [
    (["pods"], "pods", True), (["po"], "pods", True), (["pod"], "pods", True), (["v1/pods"], "pods", True),
    (["all"], "nodes", True), (["ALL"], "secrets", True), (["deploy"], "pods", False),
    (["deployments.apps"], "deployments", True), (["apps/v1/deployments"], "deployments", True),
    (["pods"], "containers", False), (["co"], "containers", True), (["containers"], "pods", False),
    (["cj", "jobs"], "jobs", True), (["rollouts"], "pods", False),
])
def test_a_plugin_is_offered_in_the_views_of_its_scopes(scopes, view, offered):
    assert core.applies(plugin(scopes=scopes), BY_NAME[view]) is offered


def test_a_custom_resource_scope_matches_once_discovery_found_it():
    rollouts = ApiResource("Rollout", "rollouts", "argoproj.io", "v1alpha1", True, short_names=("ro",))
    extra = kinds.discovered([rollouts])
    view = kinds.lookup("rollouts", extra)
    assert view is not None and view.discovered
    p = plugin(scopes=["rollouts"])
    assert core.applies(p, view, extra) and not core.applies(p, view)  # before discovery: nowhere
    assert core.for_view([p, plugin(scopes=["pods"])], view, extra) == [p]
    env = core.variables(view, None, None, TARGET, api=[rollouts])
    assert (env["RESOURCE_GROUP"], env["RESOURCE_VERSION"], env["RESOURCE_NAME"]) == ("argoproj.io", "v1alpha1", "rollouts")


# -- variables ---------------------------------------------------------------------------------
def test_the_variables_of_a_pod_row_are_k9s():
    c = small_cluster()
    m = pods_model(c)
    r = row(m, "counter")
    env = core.variables(BY_NAME["pods"], r, m, TARGET)
    assert {k: env[k] for k in ("NAMESPACE", "NAME", "POD", "FILTER", "CONTEXT", "CLUSTER", "USER", "GROUPS",
                                "KUBECONFIG", "RESOURCE_GROUP", "RESOURCE_VERSION", "RESOURCE_NAME")} == {
        "NAMESPACE": "default", "NAME": "counter", "POD": "counter", "FILTER": "counter", "CONTEXT": "k9py-sim",
        "CLUSTER": "minikube", "USER": "k9py", "GROUPS": "n/a", "KUBECONFIG": "/tmp/k9py-plugins-x/kubeconfig",
        "RESOURCE_GROUP": "", "RESOURCE_VERSION": "v1", "RESOURCE_NAME": "pods"}
    # every column of the row as the table shows it, and the wide ones too (k9s: ColumnNames(true))
    cells = dict(zip([c.name for c in m.columns], m.cells(r), strict=True))
    assert {k[4:]: v for k, v in env.items() if k.startswith("COL-") and k[4:] in cells} == cells
    assert env["COL-QOS"] == "BE" and "COL-NOMINATED NODE" in env
    assert env["COL-STATUS"] == "Running" and env["COL-NODE"] == cells["NODE"] and "COL-IP" in env
    # k9s: $FILTER is what `/` holds when something is typed there
    assert core.variables(BY_NAME["pods"], r, m, TARGET, filter_text="count")["FILTER"] == "count"


def test_col_variables_name_every_column_of_the_row_when_views_yaml_shows_a_few():
    """views.yaml's pods columns [NAME, AGE]: a plugin's $COL-STATUS and $COL-NODE were empty (k9s
    gives a plugin every column of the row, shown or not)."""
    c = small_cluster()
    m = pods_model(c)
    m.set_custom(ViewColumns((ColumnSpec("NAME"), ColumnSpec("AGE"))))
    r = row(m, "counter")
    assert [col.name for col in m.columns] == ["NAME", "AGE"]
    env = core.variables(BY_NAME["pods"], r, m, TARGET)
    assert env["COL-NAME"] == "counter" and env["COL-STATUS"] == "Running" and env["COL-NODE"]
    assert env["COL-READY"] == "1/1" and env["COL-QOS"] == "BE"


def test_all_namespaces_give_col_namespace_and_a_deployment_its_group():
    c = small_cluster()
    m = pods_model(c, ns="")
    env = core.variables(BY_NAME["pods"], row(m, "counter"), m, TARGET)
    assert env["COL-NAMESPACE"] == env["NAMESPACE"] == "default"
    env = core.variables(BY_NAME["deployments"], None, None, TARGET)
    assert (env["RESOURCE_GROUP"], env["RESOURCE_VERSION"], env["RESOURCE_NAME"]) == ("apps", "v1", "deployments")
    assert "NAME" not in env  # no row: only the cluster's variables


def test_in_the_containers_view_name_is_the_container_and_pod_its_pod():
    c = small_cluster()
    m = RowModel(BY_NAME["containers"], expand=expand_containers, predicate=lambda o: o["metadata"]["name"] == "crashy")
    m.now = c.now()
    m.load({(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in c.store.list("Pod", "default")})
    env = core.variables(BY_NAME["containers"], m.row_at(0), m, TARGET, pod=("default", "crashy"))
    assert (env["NAMESPACE"], env["POD"], env["NAME"], env["CONTAINER"]) == ("default", "crashy", "busybox", "busybox")
    assert env["COL-IMAGE"] == "busybox:1.28" and env["RESOURCE_NAME"] == "containers"


# -- substitution (k9s's env_test cases) -----------------------------------------------------------
ENV = {"NAMESPACE": "fred", "NAME": "blee", "COL-NAME": "zorg", "COL-BOOL": "false", "COL-%CPU/L": "10",
       "COL-MEM/R:L": "32:32", "COL-TRUE": "True", "COL-F": "f", "COL-ONE": "1"}


@pytest.mark.parametrize(("arg", "out"), [
    ("$NAMESPACE", "fred"), ("${NAMESPACE}-$NAME", "fred-blee"), ("${NAMESPACE}x", "fredx"),
    ("$COL-NAME", "zorg"), ("$COL-BOOL", "false"), ("$!COL-BOOL", "true"), ("${!COL-BOOL}", "true"),
    ("${COL-%CPU/L}/${COL-MEM/R:L}", "10/32:32"), ("$namespace", "fred"),  # any case
    ("$COL-TRUE", "true"), ("$!COL-TRUE", "false"),  # booleans print as JSON's
    ("$COL-F", "f"), ("$COL-ONE", "1"),  # a pod called f, a count of 1: left alone
    ("$HOME/.kube", "$HOME/.kube"), ('"$@" | less', '"$@" | less'),  # not k9s's: left for a shell
    ("$NAME-x", "$NAME-x"), ("$NAMESPACE-$NAME", "$NAMESPACE-blee"),  # k9s reads NAME-X, NAMESPACE- (its
    # names take dashes, for $COL-NAME): ${NAME}-x is what works
    ("${RESOURCE_GROUP:+.RESOURCE_GROUP}", "${RESOURCE_GROUP:+.RESOURCE_GROUP}"),  # shell syntax stays
    ('{"spec" : {"suspend" : $!COL-BOOL }}', '{"spec" : {"suspend" : true }}'),
])
def test_substitute_is_k9s_env_substitute(arg, out):
    assert core.substitute(arg, ENV) == out


# -- the invocation: one argument per arg, never code ---------------------------------------------
ODD = "web 'prod' \"x\" $(touch PWNED); `id` <none>"


def test_values_with_spaces_and_quotes_stay_one_argument():
    inv = core.invocation(plugin("get", "pod", "$NAME", "-n", "$NAMESPACE", "-l", "$COL-LABELS"),
                          {"NAME": "my pod", "NAMESPACE": "default", "COL-LABELS": ODD}, TARGET)
    assert inv.argv == ["kubectl", "get", "pod", "my pod", "-n", "default", "-l", ODD]
    assert inv.env == {"KUBECONFIG": TARGET.kubeconfig}  # the served cluster's; k9s's variables are not exported


def test_a_shell_script_gets_unsafe_values_through_its_environment(tmp_path):
    p = plugin("-c", 'printf "%s|" $NAMESPACE "$COL-NOTE" "$NAME"; echo', command="sh")
    env = {"NAMESPACE": "default", "COL-NOTE": ODD, "NAME": "nginx-1"}
    inv = core.invocation(p, env, Target())
    assert inv.argv == ["sh", "-c", 'printf "%s|" default "${K9PY_VALUE_1}" "nginx-1"; echo']
    assert inv.env == {"K9PY_VALUE_1": ODD}
    out = subprocess.run(inv.argv, env={"PATH": "/usr/bin:/bin", **inv.env}, cwd=tmp_path, capture_output=True,
                         text=True, check=True).stdout
    assert out == f"default|{ODD}|nginx-1|\n"  # printed, not run
    assert not (tmp_path / "PWNED").exists()


def test_only_the_script_of_a_shell_is_protected():
    # k9s's log-less: the script is '"$@" | less'; what follows are its positional arguments (data)
    p = plugin("-c", '"$@" | less', "dummy-arg", "kubectl", "logs", "$NAME", command="bash")
    assert core.invocation(p, {"NAME": "a b"}, Target()).argv == ["bash", "-c", '"$@" | less', "dummy-arg",
                                                                   "kubectl", "logs", "a b"]
    assert core.script_index("/bin/bash", ["-o", "pipefail", "-ec", "x"]) == 3
    assert core.script_index("bash", ["--norc", "-c", "x"]) == 2
    assert core.script_index("sh", ["script.sh", "$NAME"]) is None  # a script file: arguments are data
    assert core.script_index("kubectl", ["-c", "x"]) is None


def test_inputs_take_their_defaults_and_pipes_are_split():
    p = plugin("debug", "$POD", "--image=$INPUT_IMAGE", "--share=$INPUT_SHARE",
               inputs=(PluginInput("image", "dropdown", default="busybox:1.37", options=("alpine", "busybox:1.37")),
                       PluginInput("share", "bool", default="true")), pipes=("grep -v 'warn ing'",))
    inv = core.invocation(p, {"POD": "web"}, Target())
    assert inv.argv == ["kubectl", "debug", "web", "--image=busybox:1.37", "--share=true"]
    assert inv.pipes == [["grep", "-v", "warn ing"]] and inv.env == {}
    inv = core.invocation(p, {"POD": "web"}, Target(), {"image": "alpine", "share": "false"})  # the dialog's
    assert inv.argv == ["kubectl", "debug", "web", "--image=alpine", "--share=false"]
    asking = plugin(inputs=(PluginInput("replicas", "number", required=True),))
    with pytest.raises(PluginError, match="Required fields are missing: replicas"):
        core.invocation(asking, {}, Target())


def test_the_inputs_dialogs_values_as_k9s_keeps_them():
    p = plugin(inputs=(PluginInput("image", "dropdown", required=True, default="x", options=("a", "b")),
                       PluginInput("force", "bool", required=True), PluginInput("note", "string"),
                       PluginInput("replicas", "number")))
    # a dropdown's default that is none of its options: none chosen (k9s's index -1 → the blank)
    assert core.input_defaults(p) == {"image": "", "force": "", "note": "", "replicas": ""}
    with pytest.raises(PluginError, match=r"^Required fields are missing: image$"):  # a bool always has one
        core.input_values(p, {"image": "", "force": "false"})
    with pytest.raises(PluginError, match="replicas: '1-2' is not a number"):
        core.input_values(p, {"image": "a", "force": "true", "replicas": "1-2"})
    # the optional ones left empty are dropped: their $INPUT_... stays as written
    assert core.input_values(p, {"image": "b", "force": "false", "note": "", "replicas": ""}) == {
        "image": "b", "force": "false"}
    assert core.input_values(p, {"image": "b", "force": "true", "note": "a b", "replicas": "-1.5e3"}) == {
        "image": "b", "force": "true", "note": "a b", "replicas": "-1.5e3"}
