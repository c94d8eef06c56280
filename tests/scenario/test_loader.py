"""Scenario loading: objects, header, and errors that name file, line, document and field."""

from __future__ import annotations

import textwrap

import pytest

from k9py.errors import K9pyError
from k9py.scenario.loader import load_cluster, load_manifests

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.14.2
"""


def write(tmp_path, text: str, name: str = "s.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def load_error(path: str) -> K9pyError:
    with pytest.raises(K9pyError) as info:
        load_cluster(path, warmup=0)
    err = info.value
    assert "\n" not in str(err)
    return err


# -- what loads ----------------------------------------------------------------------------------

def test_manifests_in_file_order_with_default_header(tmp_path):
    path = write(tmp_path, POD + "---\n" + POD.replace("name: web\nspec", "name: api\nspec"))
    header, objs = load_manifests(path)
    assert [o["metadata"]["name"] for o in objs] == ["web", "api"]
    assert header.document is None
    assert [(n.name, n.control_plane) for n in header.nodes] == [("minikube", True)]


def test_header_nodes_become_nodes(tmp_path):
    path = write(tmp_path, textwrap.dedent("""\
        apiVersion: k9py.dev/v1alpha1
        kind: SimCluster
        metadata: {name: lab}
        spec:
          seed: 7
          nodes:
          - {name: cp, controlPlane: true, cpu: "2", memory: 4Gi}
          - name: gpu-1
            cpu: "8"
            memory: 32Gi
            pods: 20
            labels: {accelerator: nvidia}
            taints: [{key: nvidia.com/gpu, value: "true", effect: NoSchedule}]
        """))
    cluster = load_cluster(path, warmup=0)
    assert cluster.seed == 7
    cp = cluster.get("Node", None, "cp")
    gpu = cluster.get("Node", None, "gpu-1")
    assert "node-role.kubernetes.io/control-plane" in cp["metadata"]["labels"]
    assert "node-role.kubernetes.io/control-plane" not in gpu["metadata"]["labels"]
    assert gpu["metadata"]["labels"]["accelerator"] == "nvidia"
    assert gpu["spec"]["taints"] == [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}]
    assert gpu["status"]["capacity"]["cpu"] == "8"
    assert gpu["status"]["capacity"]["pods"] == "20"
    assert load_cluster(path, seed=3, warmup=0).seed == 3  # an explicit seed wins


def test_no_header_gives_one_minikube_node_and_pods_run(tmp_path):
    cluster = load_cluster(write(tmp_path, POD), warmup=60)
    assert [n["metadata"]["name"] for n in cluster.list("Node")] == ["minikube"]
    pod = cluster.get("Pod", "default", "web")
    assert pod["spec"]["nodeName"] == "minikube"
    assert pod["status"]["phase"] == "Running"


def test_warmup_moves_the_virtual_clock(tmp_path):
    path = write(tmp_path, POD)
    assert load_cluster(path, warmup=0, start=1_000_000.0).now() == 1_000_000.0
    assert load_cluster(path, warmup=90, start=1_000_000.0).now() == 1_000_090.0
    header = write(tmp_path, "apiVersion: k9py.dev/v1alpha1\nkind: SimCluster\nspec: {warmup: 2m}\n---\n" + POD, "h.yaml")
    assert load_cluster(header, start=1_000_000.0).now() == 1_000_120.0


def test_namespaces_are_created_first(tmp_path):
    path = write(tmp_path, POD.replace("  name: web\nspec", "  name: web\n  namespace: team-a\nspec")
                 + "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n")
    cluster = load_cluster(path, warmup=0)
    assert cluster.get("Pod", "team-a", "web")


def test_empty_documents_and_lists(tmp_path):
    path = write(tmp_path, textwrap.dedent("""\
        ---
        ---
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: ConfigMap
          metadata: {name: a}
          data: {when: 2026-01-01}
        - apiVersion: v1
          kind: ConfigMap
          metadata: {name: b}
        """))
    _, objs = load_manifests(path)
    assert [o["metadata"]["name"] for o in objs] == ["a", "b"]
    assert objs[0]["data"]["when"] == "2026-01-01"  # stays a string, as in JSON


def test_same_seed_same_cluster(tmp_path):
    path = write(tmp_path, POD)
    a = load_cluster(path, seed=5, warmup=30).get("Pod", "default", "web")
    b = load_cluster(path, seed=5, warmup=30).get("Pod", "default", "web")
    assert a["metadata"]["uid"] == b["metadata"]["uid"]
    assert a["status"]["podIP"] == b["status"]["podIP"]


# -- errors --------------------------------------------------------------------------------------

def test_missing_file(tmp_path):
    err = load_error(str(tmp_path / "nope.yaml"))
    assert str(err) == f"{tmp_path / 'nope.yaml'}: no such file"


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, POD + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: a: b\n")
    err = load_error(path)
    assert err.file == path and err.line == 14
    assert str(err) == f"{path}:14: document 2: yaml: mapping values are not allowed here"


def test_duplicate_key_is_an_error(tmp_path):
    path = write(tmp_path, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n")
    err = load_error(path)
    assert str(err) == f'{path}:5: document 1: yaml: mapping key "name" already defined at line 4'


def test_document_that_is_not_a_mapping(tmp_path):
    path = write(tmp_path, POD + "---\n- just\n- a list\n")
    err = load_error(path)
    assert str(err) == f"{path}:10: document 2: must be a mapping (a Kubernetes object), not a list"


def test_missing_kind(tmp_path):
    path = write(tmp_path, POD + "---\napiVersion: v1\nmetadata:\n  name: cfg\ndata: {}\n")
    err = load_error(path)
    assert (err.line, err.field, err.document) == (10, "kind", "document 2 (cfg)")
    assert str(err) == f"{path}:10: document 2 (cfg): kind: Required value: kind not set"


def test_unknown_kind(tmp_path):
    path = write(tmp_path, POD + "---\napiVersion: kubeflow.org/v1\nkind: Notebook\nmetadata:\n  name: nb\n")
    err = load_error(path)
    assert str(err) == (f'{path}:11: document 2 (Notebook nb): kind: no matches for kind "Notebook" in '
                        'version "kubeflow.org/v1" (ensure CRDs are installed first)')


def test_wrong_api_version_for_a_known_kind(tmp_path):
    path = write(tmp_path, POD.replace("apiVersion: v1", "apiVersion: extensions/v1beta1"))
    err = load_error(path)
    assert err.line == 1 and err.field == "apiVersion"
    assert 'no matches for kind "Pod" in version "extensions/v1beta1"' in str(err)


def test_wrong_type_names_the_field_and_line(tmp_path):
    path = write(tmp_path, POD + textwrap.dedent("""\
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: nginx-deployment
        spec:
          replicas: three
          selector: {matchLabels: {app: nginx}}
          template:
            metadata: {labels: {app: nginx}}
            spec:
              containers: [{name: nginx, image: "nginx:1.14.2"}]
        """))
    err = load_error(path)
    assert str(err) == (f'{path}:15: document 2 (Deployment nginx-deployment): spec.replicas: '
                        'Invalid value: "three": must be an integer')


def test_env_value_must_be_a_string(tmp_path):
    path = write(tmp_path, POD + "    env:\n    - name: PORT\n      value: 8080\n")
    err = load_error(path)
    assert str(err) == f"{path}:11: document 1 (Pod web): spec.containers[0].env[0].value: Invalid value: 8080: must be a string"


def test_bad_quantity(tmp_path):
    path = write(tmp_path, POD + "    resources:\n      requests:\n        cpu: lots\n")
    err = load_error(path)
    assert err.line == 11 and err.field == "spec.containers[0].resources.requests.cpu"
    assert "quantities must match the regular expression" in err.message


def test_unknown_top_level_field(tmp_path):
    path = write(tmp_path, POD + "sepc: {}\n")
    err = load_error(path)
    assert str(err) == f'{path}:9: document 1 (Pod web): sepc: unknown field "sepc"'


def test_admission_rejection_maps_to_the_field_line(tmp_path):
    path = write(tmp_path, POD.replace("    image: nginx:1.14.2\n", "    ports:\n    - containerPort: 80\n"))
    err = load_error(path)
    assert (err.line, err.field, err.document) == (7, "spec.containers[0].image", "document 1 (Pod web)")
    assert str(err) == f"{path}:7: document 1 (Pod web): spec.containers[0].image: Required value"


def test_admission_rejection_of_a_deployment_selector(tmp_path):
    path = write(tmp_path, textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: d
        spec:
          selector:
            matchLabels: {app: x}
          template:
            metadata:
              labels:
                app: y
            spec:
              containers: [{name: a, image: nginx}]
        """))
    err = load_error(path)
    assert (err.line, err.field) == (10, "spec.template.metadata.labels")
    assert "`selector` does not match template `labels`" in err.message


def test_object_in_a_missing_namespace(tmp_path):
    path = write(tmp_path, POD.replace("  name: web\nspec", "  name: web\n  namespace: nowhere\nspec"))
    err = load_error(path)
    assert str(err) == f'{path}:5: document 1 (Pod web): namespaces "nowhere" not found'


def test_object_defined_twice(tmp_path):
    path = write(tmp_path, POD + "---\n" + POD)
    err = load_error(path)
    assert str(err) == f'{path}:13: document 2 (Pod web): pods "web" is defined twice (first in document 1)'


def test_bad_header_node_field(tmp_path):
    path = write(tmp_path, textwrap.dedent("""\
        apiVersion: k9py.dev/v1alpha1
        kind: SimCluster
        metadata: {name: lab}
        spec:
          nodes:
          - name: minikube
            cpu: "2"
            memory: 4Gi
          - name: minikube-m02
            cpu: two
            memory: 4Gi
        """))
    err = load_error(path)
    assert (err.line, err.field) == (10, "spec.nodes[1].cpu")
    assert str(err).startswith(f'{path}:10: document 1 (SimCluster): spec.nodes[1].cpu: Invalid value: "two": quantities must match')


@pytest.mark.parametrize("node, line, message", [
    ("{name: a, cpu: '2'}", 5, "spec.nodes[0].memory: Required value"),
    ("{name: a, cpu: '2', memory: 4Gi, cpus: 4}", 5, 'spec.nodes[0].cpus: unknown field "cpus"'),
    ("{name: A_1, cpu: '2', memory: 4Gi}", 5, 'spec.nodes[0].name: Invalid value: "A_1": a lowercase RFC 1123 subdomain'),
    ("{name: a, cpu: '2', memory: 4Gi, taints: [{key: k, effect: Never}]}", 5,
     'spec.nodes[0].taints[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'),
    ("{name: a, cpu: '2', memory: 4Gi, pods: many}", 5, 'spec.nodes[0].pods: Invalid value: "many": must be an integer'),
])
def test_header_node_errors(tmp_path, node, line, message):
    path = write(tmp_path, f"apiVersion: k9py.dev/v1alpha1\nkind: SimCluster\nspec:\n  nodes:\n  - {node}\n")
    err = load_error(path)
    assert err.line == line
    assert str(err).startswith(f"{path}:{line}: document 1 (SimCluster): {message}")


def test_duplicate_node_names(tmp_path):
    path = write(tmp_path, "apiVersion: k9py.dev/v1alpha1\nkind: SimCluster\nspec:\n  nodes:\n"
                           "  - {name: a, cpu: '2', memory: 4Gi}\n  - {name: a, cpu: '2', memory: 4Gi}\n")
    err = load_error(path)
    assert str(err) == f'{path}:6: document 1 (SimCluster): spec.nodes[1].name: Duplicate value: "a"'


def test_header_must_come_first(tmp_path):
    path = write(tmp_path, POD + "---\napiVersion: k9py.dev/v1alpha1\nkind: SimCluster\nspec: {}\n")
    err = load_error(path)
    assert str(err) == f"{path}:10: document 2: the SimCluster header must be the first document"


def test_header_unknown_field_and_bad_warmup(tmp_path):
    path = write(tmp_path, "apiVersion: k9py.dev/v1alpha1\nkind: SimCluster\nspec:\n  seeds: 1\n")
    assert str(load_error(path)).endswith('document 1 (SimCluster): spec.seeds: unknown field "seeds"')
    path = write(tmp_path, "apiVersion: k9py.dev/v1alpha1\nkind: SimCluster\nspec:\n  warmup: soon\n")
    err = load_error(path)
    assert (err.line, err.field) == (4, "spec.warmup")


def test_workloads_within_their_own_limit_are_refused_past_the_files(tmp_path, capsys):
    """Thirty Deployments of 10,000 (an 8 KB file) built 300,000 pods: scenario check took a
    minute, the explorer far longer; a file asks for at most 200,000 (scenario generate's most)."""
    from k9py.commands import cmd_check
    deploy = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}}}\nspec:\n  replicas: 10000\n"
              "  selector: {{matchLabels: {{app: d{i}}}}}\n  template:\n    metadata: {{labels: {{app: d{i}}}}}\n"
              "    spec: {{containers: [{{name: c, image: nginx}}]}}\n")
    path = write(tmp_path, "---\n".join(deploy.format(i=i) for i in range(21)))
    assert str(load_error(path)) == (f"{path}:201: document 21 (Deployment d20): Too many: 210000 pods with the "
                                     "documents before it: k9py simulates at most 200000 pods in all")
    assert cmd_check([path]) == 2 and len(capsys.readouterr().out.splitlines()) == 1


def test_node_documents_count_toward_the_node_limit(tmp_path):
    """spec.nodes was held to 1,000, kind: Node documents were not (5,000 of them: 8 s to check)."""
    path = write(tmp_path, "---\n".join(f"apiVersion: v1\nkind: Node\nmetadata: {{name: n{i}}}\n" for i in range(1200)))
    assert str(load_error(path)).endswith("document 1000 (Node n999): Too many: 1001 nodes: "
                                          "k9py simulates at most 1000 nodes")


def test_a_warmup_that_would_never_end_and_a_step_at_nan_are_refused(tmp_path):
    """warmup: 99999999999999999999999 built for ever (k9py, record, serve hung before a frame);
    a step at .nan was taken, and never ran."""
    path = write(tmp_path, "apiVersion: k9py.dev/v1alpha1\nkind: SimCluster\nspec:\n  warmup: 99999999999999999999999\n")
    assert str(load_error(path)).endswith("document 1 (SimCluster): spec.warmup: Invalid value: 99999999999999999999999: "
                                          "k9py warms a scenario up for at most 24h")
    path = write(tmp_path, "apiVersion: k9py.dev/v1alpha1\nkind: Scenario\nspec:\n  timeline:\n"
                           "  - at: .nan\n    log: {pod: a, line: x}\n")
    assert str(load_error(path)).endswith("document 1 (Scenario): spec.timeline[0].at: Invalid value: NaN: "
                                          "must be a duration like 30s or 2m")


def test_a_scenario_that_would_never_end_is_refused(tmp_path):
    """spec.duration or a step's at of 1e300 (or a year) passed `scenario check`: the clock was
    303 characters wide and End simulated for ever towards it. A scenario plays at most 24h."""
    path = write(tmp_path, "apiVersion: k9py.dev/v1alpha1\nkind: Scenario\nspec:\n  duration: 1e300\n")
    assert str(load_error(path)).endswith("document 1 (Scenario): spec.duration: Invalid value: \"1e300\": "
                                          "k9py plays a scenario for at most 24h")
    path = write(tmp_path, "apiVersion: k9py.dev/v1alpha1\nkind: Scenario\nspec:\n  timeline:\n"
                           "  - at: 8760h\n    log: {pod: a, line: x}\n")
    assert str(load_error(path)).endswith("document 1 (Scenario): spec.timeline[0].at: Invalid value: \"8760h\": "
                                          "k9py plays a scenario for at most 24h")
    path = write(tmp_path, "apiVersion: k9py.dev/v1alpha1\nkind: Scenario\nspec:\n  duration: 24h\n  timeline:\n"
                           "  - at: 23h59m\n    log: {pod: a, line: x}\n")
    assert load_cluster(path, warmup=0) is not None  # (a day is played)


def test_list_item_errors_name_the_item(tmp_path):
    path = write(tmp_path, textwrap.dedent("""\
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: ConfigMap
          metadata: {name: a}
        - apiVersion: v1
          kind: ConfigMap
          metadata: {name: b}
          data: {port: 80}
        """))
    err = load_error(path)
    assert str(err) == f"{path}:10: document 1 item 2 (ConfigMap b): data.port: Invalid value: 80: must be a string"


def test_unknown_metadata_field(tmp_path):
    path = write(tmp_path, POD.replace("  name: web\nspec", "  name: web\n  label: {app: web}\nspec"))
    err = load_error(path)
    assert str(err) == f'{path}:5: document 1 (Pod web): metadata.label: unknown field "label"'


def test_kinds_whose_fields_differ_are_not_rejected(tmp_path):
    path = write(tmp_path, textwrap.dedent("""\
        apiVersion: v1
        kind: LimitRange
        metadata: {name: limits}
        spec:
          limits:
          - type: Container
            default: {cpu: 500m}
            defaultRequest: {cpu: 100m}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress:
          - ports:
            - {port: http, protocol: TCP}
            - {port: 8080}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web}
        spec:
          rules:
          - http:
              paths:
              - path: /
                pathType: Prefix
                backend:
                  service: {name: web, port: {number: 80}}
        """))
    _, objs = load_manifests(path)
    assert [o["kind"] for o in objs] == ["LimitRange", "NetworkPolicy", "Ingress"]


def test_forbidden_by_quota_names_the_document(tmp_path):
    path = write(tmp_path, textwrap.dedent("""\
        apiVersion: v1
        kind: Namespace
        metadata: {name: team}
        ---
        apiVersion: v1
        kind: ResourceQuota
        metadata: {name: compute, namespace: team}
        spec:
          hard: {requests.cpu: "1", pods: "2"}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: team}
        spec:
          containers: [{name: web, image: nginx}]
        """))
    err = load_error(path)
    assert (err.line, err.document) == (11, "document 3 (Pod web)")
    assert err.message.startswith('pods "web" is forbidden: ')
    assert "requests.cpu" in err.message


def test_tab_indentation_is_a_yaml_error(tmp_path):
    path = write(tmp_path, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n")
    err = load_error(path)
    assert err.line == 4 and err.message.startswith("yaml: ")


def test_yaml_syntax_error_names_the_document_after_separators(tmp_path):
    path = write(tmp_path, "---\n" + POD + "---\n# a comment\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                           "spec:\n  containers: [{name: c, image: nginx}\n")
    err = load_error(path)
    assert err.document == "document 3" and err.message.startswith("yaml: ")


@pytest.mark.parametrize("annotation,value,message", [
    ("k9py.sim/crash-after", "soon", 'Invalid value: "soon": must be a duration (seconds, or like 90s, 2m)'),
    ("k9py.sim/oom-after", "-5s", 'Invalid value: "-5s": must be a duration (seconds, or like 90s, 2m)'),
    ("k9py.sim/exit-code", "300", 'Invalid value: "300": must be an integer from 0 to 255'),
    ("k9py.sim/exit-code", "³", 'Invalid value: "³": must be an integer from 0 to 255'),  # (isdigit: a ValueError)
    ("k9py.sim/crash-after", "1³s", 'Invalid value: "1³s": must be a duration (seconds, or like 90s, 2m)'),
    ("k9py.sim/never-ready", "yes please", 'Invalid value: "yes please": must be "true" or "false"'),
    ("k9py.sim/cpu-usage", "lots", 'Invalid value: "lots": must be a quantity (like 250m, 1, 100Mi)'),
    ("k9py.sim/cpu-load", "-1", 'Invalid value: "-1": must be a quantity (like 250m, 1, 100Mi)'),
])
def test_sim_annotations_with_unusable_values_are_errors(tmp_path, annotation, value, message):
    path = write(tmp_path, POD.replace("  name: web\n", f"  name: web\n  annotations:\n    {annotation}: \"{value}\"\n"))
    err = load_error(path)
    assert (err.line, err.document) == (6, "document 1 (Pod web)")
    assert (err.field, err.message) == (f"metadata.annotations.{annotation}", message)


def test_sim_annotations_in_a_pod_template_are_checked_too(tmp_path):
    path = write(tmp_path, textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d}
        spec:
          selector: {matchLabels: {app: d}}
          template:
            metadata:
              labels: {app: d}
              annotations: {k9py.sim/start-delay: later}
            spec:
              containers: [{name: c, image: nginx}]
        """))
    err = load_error(path)
    assert err.line == 9 and err.field == "spec.template.metadata.annotations.k9py.sim/start-delay"


def test_good_sim_annotations_load(tmp_path):
    path = write(tmp_path, POD.replace("  name: web\n", "  name: web\n  annotations:\n    k9py.sim/crash-after: 90s\n"
                                                       "    k9py.sim/exit-code: \"3\"\n    k9py.sim/never-ready: \"true\"\n"
                                                       "    k9py.sim/cpu-usage: 250m\n"))
    cluster = load_cluster(path, warmup=0)
    assert cluster.store.must_get("Pod", "default", "web")["metadata"]["annotations"]["k9py.sim/crash-after"] == "90s"


def test_wrongly_shaped_struct_fields_are_errors(tmp_path):
    path = write(tmp_path, POD + "    resources: lots\n")
    err = load_error(path)
    assert (err.line, err.field) == (9, "spec.containers[0].resources")
    assert err.message == 'Invalid value: "lots": must be an object'


def test_secret_data_must_be_base64(tmp_path):
    path = write(tmp_path, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  ok: aHVudGVyMg==\n  pw: hunter2!\n")
    err = load_error(path)
    assert (err.line, err.document) == (6, "document 1 (Secret s)")
    assert (err.field, err.message) == ("data.pw", 'Invalid value: "hunter2!": illegal base64 data')


def test_a_build_never_stops_for_the_cyclic_collector_and_a_big_one_is_frozen(tmp_path, monkeypatch, freezes):
    """The simulator's objects have no cycles: walking its growing heap again and again only
    cost time (a sixth of a 10,000-pod build). A big cluster is frozen out of sight once built."""
    import gc

    from k9py.kube import gcpause
    from k9py.scenario.generate import generate
    from k9py.scenario.loader import build_cluster
    from k9py.scenario.manifests import parse_file

    sf = parse_file(write(tmp_path, generate(300, 6, seed=1)))
    collections: list[int] = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])
    gc.callbacks.append(count)
    try:
        cluster = build_cluster(sf, warmup=30)
    finally:
        gc.callbacks.remove(count)
    assert cluster.store.count("Pod") >= 300 and gc.isenabled()
    assert len(collections) <= 1  # none while it built (at most one once the collector is back)
    assert freezes == []  # 300 pods: not big
    monkeypatch.setattr(gcpause, "BIG_LOAD", 300)
    build_cluster(sf, warmup=0)
    assert freezes == ["freeze"]
