"""`:dir`'s work without a UI: a folder's manifests read (errors as kubectl words them, never an
exception), and `kubectl apply -f` / `kubectl delete -f` done through the backend on the simulator,
said as kubectl says it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from k9py.backends.sim import SimBackend
from k9py.explorer import manifests
from k9py.explorer.manifests import LAST_APPLIED
from tests.backends.conftest import kubeconfig, server  # noqa: F401  (fixtures)
from tests.sim.helpers import make_cluster

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
---
"""


def folder(tmp_path: Path) -> Path:
    (tmp_path / "web.yaml").write_text(WEB)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "cm.json").write_text(json.dumps(
        {"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "one"}, "data": {"a": "1"}},
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}]}))
    (tmp_path / "README.md").write_text("# not a manifest")
    (tmp_path / ".hidden.yaml").write_text(WEB)
    return tmp_path


def test_a_folder_lists_its_folders_then_its_manifests(tmp_path):
    f = folder(tmp_path)
    assert [(e.path.name, e.is_dir) for e in manifests.list_entries(f)] == [("sub", True), ("web.yaml", False)]
    assert manifests.summary(f / "web.yaml") == "Deployment/web, Service/web"
    assert manifests.summary(f / "sub" / "cm.json") == "ConfigMap/one, Namespace/team"  # a List's items
    assert [m.obj["kind"] for m in manifests.read_manifests(f, recursive=True) if m.obj] == [
        "ConfigMap", "Namespace", "Deployment", "Service"]  # the sub-folder first, as listed
    assert [m.obj["kind"] for m in manifests.read_manifests(f) if m.obj] == ["Deployment", "Service"]


def test_what_cannot_be_read_is_one_line_naming_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  a: [\n")
    [m] = manifests.read_manifests(bad)
    assert m.obj is None and m.error.startswith(f"error: error parsing {bad}: yaml: line ")
    nokind = tmp_path / "nokind.yaml"
    nokind.write_text("metadata:\n  name: x\n")
    assert [m.error for m in manifests.read_manifests(nokind)] == [
        f'error: error validating "{nokind}": error validating data: [apiVersion not set, kind not set]']
    noname = tmp_path / "noname.yaml"
    noname.write_text("apiVersion: v1\nkind: ConfigMap\n---\n- a list\n")
    assert [m.error for m in manifests.read_manifests(noname)] == [
        f'error: "{noname}": resource name may not be empty',
        f'error: error validating "{noname}": a document is list, not an object']
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    assert manifests.read_manifests(binary)[0].error.startswith(f"error: {binary}: ")
    assert manifests.summary(noname) == f'"{noname}": resource name may not be empty'
    for big in (tmp_path / "big.json", tmp_path / "big.yaml"):  # int()'s 4300 digits: a ValueError
        big.write_text('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b", "generation": '
                       + "9" * 5000 + "}}")
        [m] = manifests.read_manifests(big)
        assert m.obj is None and m.error.startswith(f"error: error parsing {big}: ") and "too large" in m.error


def run(coro_fn, cluster=None):
    cluster = cluster or make_cluster(nodes=1)
    backend = SimBackend(cluster)
    return asyncio.run(coro_fn(backend)), cluster


def test_apply_creates_then_finds_nothing_to_change_then_configures(tmp_path):
    f = folder(tmp_path)
    web = f / "web.yaml"

    async def go(backend):
        first = await manifests.apply(backend, manifests.read_manifests(web), "default")
        again = await manifests.apply(backend, manifests.read_manifests(web), "default")
        web.write_text(WEB.replace("replicas: 2", "replicas: 3"))
        changed = await manifests.apply(backend, manifests.read_manifests(web), "default")
        return first, again, changed

    (first, again, changed), cluster = run(go)
    assert first == ["deployment.apps/web created", "service/web created"]
    assert again == ["deployment.apps/web unchanged", "service/web unchanged"]
    assert changed == ["deployment.apps/web configured", "service/web unchanged"]
    dep = cluster.store.get("Deployment", "default", "web")
    assert dep["spec"]["replicas"] == 3
    assert dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"  # the controller's: kept
    assert json.loads(dep["metadata"]["annotations"][LAST_APPLIED])["spec"]["replicas"] == 3
    # the annotation is the text kubectl writes for the same manifest (so either tool finds it unchanged)
    svc = cluster.store.get("Service", "default", "web")
    assert svc["metadata"]["annotations"][LAST_APPLIED] == (
        '{"apiVersion":"v1","kind":"Service","metadata":{"annotations":{},"name":"web","namespace":"default"},'
        '"spec":{"ports":[{"port":80}],"selector":{"app":"web"}}}\n')


def test_apply_puts_objects_without_a_namespace_in_the_given_one_and_cluster_scoped_ones_nowhere(tmp_path):
    f = folder(tmp_path)

    async def go(backend):
        await backend.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
        return await manifests.apply(backend, manifests.read_manifests(f, recursive=True), "dev")

    lines, cluster = run(go)
    assert lines == ["configmap/one created", "namespace/team created", "deployment.apps/web created",
                     "service/web created"]
    assert cluster.store.get("ConfigMap", "dev", "one") is not None
    assert cluster.store.get("Deployment", "dev", "web") is not None
    assert cluster.store.get("Namespace", None, "team") is not None


def test_errors_are_lines_in_their_place_and_the_rest_goes_on(tmp_path):
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n")
    (tmp_path / "b.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n")
    (tmp_path / "c.yaml").write_text("a: [\n")

    async def go(backend):
        applied = await manifests.apply(backend, manifests.read_manifests(tmp_path), "default")
        deleted = await manifests.delete(backend, manifests.read_manifests(tmp_path), "default")
        return applied, deleted

    (applied, deleted), cluster = run(go)
    # kubectl's words: the step that failed, the file in double quotes
    assert applied[0].startswith(f'Error from server (Invalid): error when creating "{tmp_path / "a.yaml"}": ')
    assert "Bad_Name" in applied[0]
    assert applied[1] == "configmap/good created"
    assert applied[2].startswith(f"error: error parsing {tmp_path / 'c.yaml'}: yaml: line ")
    assert deleted[0] == (f'Error from server (NotFound): error when deleting "{tmp_path / "a.yaml"}": '
                          'configmaps "Bad_Name" not found')
    assert deleted[1] == 'configmap "good" deleted' and cluster.store.get("ConfigMap", "default", "good") is None


def test_yaml_is_read_as_kubectl_reads_it_dates_stay_strings_and_nothing_json_cannot_hold_raises(tmp_path):
    """A ConfigMap with `when: 2024-01-01` (kubectl applies it: sigs.k8s.io/yaml keeps it a string)
    crashed the app on `a`: PyYAML made it a date the last-applied annotation could not hold."""
    cm = tmp_path / "cm.yaml"
    cm.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dated\n"
                  "data:\n  when: 2024-01-01\n  at: 2024-01-01T10:00:00Z\n")
    [m] = manifests.read_manifests(cm)
    assert m.obj is not None and m.obj["data"] == {"when": "2024-01-01", "at": "2024-01-01T10:00:00Z"}
    blob = tmp_path / "blob.yaml"
    blob.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: blob\nbinaryData:\n  b: !!binary aGk=\n")
    [b] = manifests.read_manifests(blob)
    assert b.obj is None and b.error.startswith(f"error: error parsing {blob}: ")
    twice = tmp_path / "twice.yaml"
    twice.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n")
    [t] = manifests.read_manifests(twice)  # kubectl: yaml: mapping key "name" already defined
    assert t.obj is None and 'mapping key "name" already defined at line 4' in t.error

    async def go(backend):
        return await manifests.apply(backend, manifests.read_manifests(tmp_path), "default")

    lines, cluster = run(go)
    assert lines[1] == "configmap/dated created"
    assert cluster.store.get("ConfigMap", "default", "dated")["data"]["when"] == "2024-01-01"


CLUSTER_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.e.example.com}
spec:
  group: e.example.com
  scope: Cluster
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
"""
WIDGET = "apiVersion: e.example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n"


def crd_folder(tmp_path: Path) -> Path:
    (tmp_path / "01-crd.yaml").write_text(CLUSTER_CRD)
    (tmp_path / "02-widget.yaml").write_text(WIDGET)
    return tmp_path


def test_a_cluster_scoped_custom_resource_after_its_crd_is_applied_cluster_scoped(tmp_path):
    """The CRD and its resource in one folder: which kinds are namespaced was read before the CRD
    existed, so the Widget was given the namespace `default` (recorded in its last-applied: the
    next apply of the same file said configured)."""
    f = crd_folder(tmp_path)

    async def go(backend):
        first = await manifests.apply(backend, manifests.read_manifests(f), "default")
        again = await manifests.apply(backend, manifests.read_manifests(f), "default")
        return first, again

    (first, again), cluster = run(go)
    assert first == ["customresourcedefinition.apiextensions.k8s.io/widgets.e.example.com created",
                     "widget.e.example.com/w1 created"]
    assert again == ["customresourcedefinition.apiextensions.k8s.io/widgets.e.example.com unchanged",
                     "widget.e.example.com/w1 unchanged"]
    w1 = cluster.store.get("Widget", None, "w1")
    assert "namespace" not in w1["metadata"]
    assert "namespace" not in json.loads(w1["metadata"]["annotations"][LAST_APPLIED])["metadata"]


def test_on_a_live_cluster_a_custom_resource_of_a_crd_newer_than_discovery_is_applied(tmp_path, server, kubeconfig):
    """Live, the CRD applied with `a` and then its resource: 'the server does not serve the kind
    Widget' every time after (discovery was never read again), where kubectl apply -f works."""
    from k9py.backends.live import LiveBackend, LiveOptions
    from tests.backends.conftest import FAST

    f = crd_folder(tmp_path)

    async def go():
        backend = LiveBackend(LiveOptions(kubeconfig=kubeconfig, **FAST))
        await backend.ensure_discovery()
        backend._discovered_at -= 10  # discovery read a while ago (it is read again at most every 2 s)
        try:
            return await manifests.apply(backend, manifests.read_manifests(f), "default")
        finally:
            await backend.close()

    assert asyncio.run(go()) == ["customresourcedefinition.apiextensions.k8s.io/widgets.e.example.com created",
                                 "widget.e.example.com/w1 created"]
    with server.cluster.lock:
        assert "namespace" not in server.cluster.store.get("Widget", None, "w1")["metadata"]


def test_a_folder_linked_into_itself_is_read_once_as_kubectl_apply_r_does(tmp_path):
    """`ln -s . self` in a folder: a applied its manifests 41 times over (self/self/self/...,
    until the path grew too long; with a second link, sub/up -> .., the app hung); kubectl -R does
    not follow a linked folder."""
    (tmp_path / "w.yaml").write_text(WIDGET)
    (tmp_path / "self").symlink_to(".")
    assert [m.file for m in manifests.read_manifests(tmp_path, recursive=True)] == [tmp_path / "w.yaml"]
    assert [e.path.name for e in manifests.list_entries(tmp_path)] == ["self", "w.yaml"]  # still listed


def test_a_sub_folder_that_cannot_be_read_is_an_error_line_not_an_exception(tmp_path, monkeypatch):
    """(a on a folder holding one: K9pyError escaped the key's handler and closed the app)"""
    (tmp_path / "w.yaml").write_text(WIDGET)
    (tmp_path / "locked").mkdir()
    iterdir = Path.iterdir

    def refuse(self):
        if self.name == "locked":
            raise PermissionError(13, "Permission denied")
        return iterdir(self)
    monkeypatch.setattr(Path, "iterdir", refuse)
    assert [m.error for m in manifests.read_manifests(tmp_path, recursive=True)] == [
        f"error: dir: {tmp_path / 'locked'}: Permission denied"]


def test_on_a_live_cluster_a_manifest_of_a_served_older_version_is_created(tmp_path, server, kubeconfig):
    """An autoscaling/v1 HorizontalPodAutoscaler (kubectl applies it: the server serves v1 and v2)
    was sent to autoscaling/v2's URL: 'the API version in the data (autoscaling/v1) does not match
    the expected API version (autoscaling/v2)'. It goes to its own version's."""
    from k9py.backends.live import LiveBackend, LiveOptions
    from tests.backends.conftest import FAST

    (tmp_path / "hpa.yaml").write_text(
        "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n"
        "spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
        "  maxReplicas: 3\n  targetCPUUtilizationPercentage: 50\n")

    async def go():
        backend = LiveBackend(LiveOptions(kubeconfig=kubeconfig, **FAST))
        try:
            return [await manifests.apply(backend, manifests.read_manifests(tmp_path), "default") for _ in range(2)]
        finally:
            await backend.close()

    assert asyncio.run(go()) == [["horizontalpodautoscaler.autoscaling/web created"],
                                 ["horizontalpodautoscaler.autoscaling/web unchanged"]]  # compared as v1
    with server.cluster.lock:
        hpa = server.cluster.store.get("HorizontalPodAutoscaler", "default", "web")
    assert hpa["spec"]["maxReplicas"] == 3


HPA_V1 = ("apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n"
          "spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
          "  maxReplicas: 3\n  targetCPUUtilizationPercentage: 50\n")


def test_on_the_simulator_a_version_no_server_serves_is_refused_and_a_served_one_converted(tmp_path):
    """The simulator created an extensions/v1beta1 Deployment from an old tutorial (kubectl: no
    matches for kind), and stored an autoscaling/v1 HPA unconverted (v1's 50% beside v2's default
    80% metric; each apply after said configured and patched v1 fields into it)."""
    (tmp_path / "hpa.yaml").write_text(HPA_V1)
    old = tmp_path / "old.yaml"
    old.write_text(WEB.split("---")[0].replace("apps/v1", "extensions/v1beta1"))

    async def go(backend):
        first = await manifests.apply(backend, manifests.read_manifests(tmp_path), "default")
        again = await manifests.apply(backend, manifests.read_manifests(tmp_path / "hpa.yaml"), "default")
        (tmp_path / "hpa.yaml").write_text(HPA_V1.replace("maxReplicas: 3", "maxReplicas: 4"))
        changed = await manifests.apply(backend, manifests.read_manifests(tmp_path / "hpa.yaml"), "default")
        return first, again, changed

    (first, again, changed), cluster = run(go)
    assert first == ["horizontalpodautoscaler.autoscaling/web created",
                     f'Error from server (NotFound): error when creating "{old}": '
                     'no matches for kind "Deployment" in version "extensions/v1beta1"']
    assert again == ["horizontalpodautoscaler.autoscaling/web unchanged"]
    assert changed == ["horizontalpodautoscaler.autoscaling/web configured"]
    assert cluster.store.get("Deployment", "default", "web") is None
    hpa = cluster.store.get("HorizontalPodAutoscaler", "default", "web")
    assert hpa["apiVersion"] == "autoscaling/v2" and "targetCPUUtilizationPercentage" not in hpa["spec"]
    assert hpa["spec"]["maxReplicas"] == 4
    assert hpa["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]


def test_a_cluster_scoped_object_naming_a_namespace_is_applied_without_it_as_kubectl_does(tmp_path):
    """A ClusterRole whose manifest says namespace: default (kubectl drops it) said configured on
    every apply after the first: the namespace was kept in what was compared and recorded."""
    (tmp_path / "cr.yaml").write_text(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader, namespace: default}\n"
        "rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]\n")

    async def go(backend):
        return [await manifests.apply(backend, manifests.read_manifests(tmp_path), "default") for _ in range(2)]

    lines, cluster = run(go)
    assert lines == [["clusterrole.rbac.authorization.k8s.io/reader created"],
                     ["clusterrole.rbac.authorization.k8s.io/reader unchanged"]]
    cr = cluster.store.get("ClusterRole", None, "reader")
    assert "namespace" not in json.loads(cr["metadata"]["annotations"][LAST_APPLIED])["metadata"]


def test_apply_patches_as_kubectl_does_what_others_set_stays_and_what_the_file_dropped_goes(tmp_path):
    """kubectl apply's three-way strategic merge: a label and a container removed from the file
    go, a port changed by containerPort, while the env var and the label someone else set and the
    replicas an autoscaler set stay."""
    web = tmp_path / "web.yaml"
    web.write_text(WEB.replace("  replicas: 2\n", "").replace("metadata:\n  name: web\n",
                               "metadata:\n  name: web\n  labels: {app: web, tier: front}\n", 1)
                   .replace("image: nginx:1.27\n", "image: nginx:1.27\n        ports: [{containerPort: 80}]\n"
                            "      - name: side\n        image: busybox\n"))

    async def go(backend):
        await manifests.apply(backend, manifests.read_manifests(web), "default")
        await backend.patch("Deployment", "default", "web", patch_type="strategic", patch={
            "metadata": {"labels": {"theirs": "x"}}, "spec": {"replicas": 5, "template": {"spec": {"containers": [
                {"name": "nginx", "env": [{"name": "FOO", "value": "bar"}]}]}}}})
        web.write_text(web.read_text().replace(", tier: front", "").replace("containerPort: 80", "containerPort: 8080")
                       .replace("      - name: side\n        image: busybox\n", ""))
        return await manifests.apply(backend, manifests.read_manifests(web), "default")

    lines, cluster = run(go)
    assert lines == ["deployment.apps/web configured", "service/web unchanged"]
    dep = cluster.store.get("Deployment", "default", "web")
    assert dep["metadata"]["labels"] == {"app": "web", "theirs": "x"}
    assert dep["spec"]["replicas"] == 5
    [nginx] = dep["spec"]["template"]["spec"]["containers"]
    assert nginx["env"] == [{"name": "FOO", "value": "bar"}]
    assert [p["containerPort"] for p in nginx["ports"]] == [8080]


def test_an_object_created_without_apply_is_patched_after_kubectls_warning(tmp_path):
    cm = tmp_path / "cm.yaml"
    cm.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: '2'\n")

    async def go(backend):
        await backend.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"},
                              "data": {"a": "1", "b": "theirs"}})
        return await manifests.apply(backend, manifests.read_manifests(cm), "default")

    lines, cluster = run(go)
    assert lines == [
        "Warning: resource configmaps/cfg is missing the kubectl.kubernetes.io/last-applied-configuration annotation "
        "which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by "
        "either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.",
        "configmap/cfg configured"]
    got = cluster.store.get("ConfigMap", "default", "cfg")
    assert got["data"] == {"a": "2", "b": "theirs"}  # nothing of the file's last apply to delete
    assert LAST_APPLIED in got["metadata"]["annotations"]
    assert manifests.warnings(lines) == [lines[0]]


def test_a_patch_that_cannot_be_made_is_kubectls_error_line_and_the_rest_goes_on(tmp_path):
    """A container without its name in a file applied over a Deployment: kubectl cannot make the
    strategic merge patch and says why in Go's words (`map[image:nginx:1.27]`)."""
    web = tmp_path / "web.yaml"
    web.write_text(WEB)

    async def go(backend):
        await manifests.apply(backend, manifests.read_manifests(web), "default")
        web.write_text(WEB.replace("      - name: nginx\n        image: nginx:1.27\n", "      - image: nginx:1.27\n"))
        return await manifests.apply(backend, manifests.read_manifests(web), "default")

    lines, _ = run(go)
    assert lines == [f'error: error when patching "{web}": creating patch: map: map[image:nginx:1.27] does not '
                     "contain declared merge key: name", "service/web unchanged"]


def test_a_manifest_holding_inf_is_refused_as_kubectl_refuses_it(tmp_path: Path):
    """`:dir`'s `a` sent a CronTab with `ratio: .inf`, which was stored, and no list of the kind
    then encoded (kubectl: error converting YAML to JSON: json: unsupported value: +Inf)."""
    f = tmp_path / "inf.yaml"
    f.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inf}\ndata: {a: '1'}\nx: {ratio: .inf}\n")
    (got,) = manifests.read_manifests(f)
    assert got.error == f"error: error parsing {f}: error converting YAML to JSON: json: unsupported value: +Inf"


def test_fields_of_the_wrong_type_are_lines_naming_the_field_not_an_exception(tmp_path: Path):
    """:dir's apply of kind: 5, a namespace or annotations that are lists, or a List whose items
    are no list ended the app (AttributeError, TypeError: unhashable type) mid-apply."""
    cm = "apiVersion: {av}\nkind: {kind}\nmetadata:\n  name: x\n  {extra}\n"
    docs = {
        "kind.yaml": cm.format(av="v1", kind="5", extra=""),
        "av.yaml": cm.format(av="[v1]", kind="ConfigMap", extra=""),
        "ns.yaml": cm.format(av="v1", kind="ConfigMap", extra="namespace: [1]"),
        "labels.yaml": cm.format(av="v1", kind="ConfigMap", extra="labels: 5"),
        "annotations.yaml": cm.format(av="v1", kind="ConfigMap", extra="annotations: [a]"),
        "list.yaml": "apiVersion: v1\nkind: List\nitems: 5\n",
        "zgood.yaml": cm.format(av="v1", kind="ConfigMap", extra="namespace: default"),
    }
    for name, text in docs.items():
        (tmp_path / name).write_text(text)

    async def go(backend):
        items = manifests.read_manifests(tmp_path)
        return await manifests.apply(backend, items, "default"), await manifests.delete(backend, items, "default")

    (applied, deleted), cluster = run(go)
    q = {name: f'"{tmp_path / name}"' for name in docs}
    wrong = [
        f"error: error validating {q['annotations.yaml']}: error validating data: metadata.annotations isn't a map",
        f"error: error validating {q['av.yaml']}: error validating data: [apiVersion isn't string type]",
        f"error: error validating {q['kind.yaml']}: error validating data: [kind isn't string type]",
        f"error: error validating {q['labels.yaml']}: error validating data: metadata.labels isn't a map",
        f"error: error validating {q['list.yaml']}: error validating data: items isn't a list",
        f"error: error validating {q['ns.yaml']}: error validating data: metadata.namespace isn't string type",
    ]
    assert applied == [*wrong, "configmap/x created"]
    assert deleted == [*wrong, 'configmap "x" deleted']
    assert cluster.store.get("ConfigMap", "default", "x") is None


def test_a_fault_of_k9py_s_own_is_that_objects_line_and_the_rest_goes_on(tmp_path, monkeypatch):
    """A backend's own failure (no K9pyError: a bug in the simulator, a client library's) ended the
    UI's worker and the app mid-apply: it is that object's error line, logged, the rest applied."""
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
    (tmp_path / "b.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n")

    async def go(backend):
        real = backend.create

        async def create(obj):
            if obj["metadata"]["name"] == "a":
                raise AttributeError("'NoneType' object has no attribute 'setdefault'")
            return await real(obj)
        monkeypatch.setattr(backend, "create", create)
        return await manifests.apply(backend, manifests.read_manifests(tmp_path), "default")

    applied, cluster = run(go)
    assert applied[0] == (f'error: error when applying "{tmp_path / "a.yaml"}": internal error: '
                          "AttributeError(\"'NoneType' object has no attribute 'setdefault'\") (k9py.log has the traceback)")
    assert applied[1] == "configmap/b created" and cluster.store.get("ConfigMap", "default", "b") is not None
