"""Scenario timelines played into the simulator: each action, at its time, whoever moves the clock."""

from __future__ import annotations

import glob
import os

import pytest

from k9py.kube import meta
from k9py.scenario import catalog, files
from k9py.scenario.loader import load_cluster
from k9py.scenario.timeline import timeline_of
from tests.scenario.helpers import write

HEAD = """\
apiVersion: k9py.dev/v1alpha1
kind: Scenario
metadata: {name: t}
spec:
  warmup: 30s
  nodes:
  - {name: n1, controlPlane: true, cpu: "4", memory: 8Gi}
  - {name: n2, cpu: "4", memory: 8Gi}
  timeline:
"""
WEB = """\
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.25.3"}]
"""


def run(tmp_path, steps: str, extra: str = WEB):
    path = write(tmp_path, "s.yaml", HEAD + steps + extra)
    cluster = load_cluster(path)  # the loader's entry point detects the Scenario
    return cluster, timeline_of(cluster)


def at(cluster, tl, t: float) -> None:
    cluster.advance(tl.t0 + t - cluster.now())


def web_pods(cluster):
    return [p for p in cluster.store.list("Pod", "default") if meta.labels(p).get("app") == "web"
            and not meta.is_deleting(p)]


def test_steps_fire_at_their_times_and_controllers_react(tmp_path):
    cluster, tl = run(tmp_path, "  - {at: 20s, scale: {name: web, replicas: 4}}\n"
                                "  - {at: 1m, scale: {name: web, replicas: 1}}\n")
    assert len(web_pods(cluster)) == 2
    at(cluster, tl, 19.9)
    assert [f.step.action for f in tl.fired] == []
    at(cluster, tl, 20)
    assert [(f.t, f.error) for f in tl.fired] == [(20.0, None)]
    assert len(web_pods(cluster)) == 4
    at(cluster, tl, 61)
    assert len(web_pods(cluster)) == 1
    reasons = [e["reason"] for e in cluster.store.list("Event", "default")]
    assert "ScalingReplicaSet" in reasons


def test_delete_by_selector_with_count_and_the_replicaset_replaces(tmp_path):
    cluster, tl = run(tmp_path, "  - {at: 10s, delete: {kind: Pod, selector: app=web, count: 1, gracePeriodSeconds: 0}}\n")
    before = sorted(meta.name(p) for p in web_pods(cluster))
    at(cluster, tl, 12)
    after = sorted(meta.name(p) for p in web_pods(cluster))
    assert len(after) == 2 and before[0] not in after and before[1] in after


def test_delete_by_selector_takes_the_first_by_name_in_its_namespace_not_being_deleted(tmp_path):
    """What a selector with a count picks (found through the label index): the first matching
    pods by name, of the step's namespace only, none already being deleted."""
    pod = """\
---
apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: %s, labels: %s}
spec:
  containers: [{name: c, image: "busybox:1.36", command: [sleep, "3600"]}]
"""
    extra = WEB + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: alpha}\n" + "".join(
        pod % (name, ns, labels) for name, ns, labels in (
            ("a-web", "alpha", "{app: web, tier: x}"), ("a-web", "default", "{app: web, tier: x}"),
            ("b-web", "default", "{app: web, tier: x}"), ("c-web", "default", "{app: web, tier: x}"),
            ("b-other", "default", "{app: other, tier: x}")))
    cluster, tl = run(tmp_path, "  - {at: 5s, delete: {kind: Pod, name: a-web, gracePeriodSeconds: 60}}\n"
                                "  - {at: 10s, delete: {kind: Pod, selector: 'app=web,tier=x', count: 1, gracePeriodSeconds: 0}}\n",
                      extra)
    at(cluster, tl, 11)
    assert [(f.t, f.error) for f in tl.fired] == [(5.0, None), (10.0, None)]
    left = {(meta.namespace(p), meta.name(p)): meta.is_deleting(p) for p in cluster.store.list("Pod")
            if meta.name(p)[1:] in ("-web", "-other")}
    assert left == {("alpha", "a-web"): False, ("default", "a-web"): True, ("default", "c-web"): False,
                    ("default", "b-other"): False}


def test_delete_by_a_selector_matches_each_pod_by_its_own_labels(tmp_path):
    bare = """\
---
apiVersion: v1
kind: Pod
metadata: {name: %s%s}
spec:
  containers: [{name: c, image: "busybox:1.36"}]
"""
    extra = WEB + bare % ("a-bare", "") + bare % ("b-tiered", ", labels: {tier: x}") + \
        bare % ("c-other", ", labels: {app: other}")
    cluster, tl = run(tmp_path, "  - {at: 10s, delete: {kind: Pod, selector: '!tier', gracePeriodSeconds: 0}}\n", extra)
    assert len(web_pods(cluster)) == 2
    before = {meta.name(p) for p in web_pods(cluster)}
    at(cluster, tl, 10.5)
    left = {meta.name(p) for p in cluster.store.list("Pod", "default") if not meta.is_deleting(p)}
    assert [f.error for f in tl.fired] == [None]
    # the label-less pod (first by name), the other app's and the web replicas (one labels dict) went
    assert "b-tiered" in left and not {"a-bare", "c-other"} & left and not before & left


def test_set_image_then_rollout_undo(tmp_path):
    cluster, tl = run(tmp_path, "  - {at: 5s, setImage: {name: web, image: 'nginx:1.26.0'}}\n"
                                "  - {at: 1m, rolloutUndo: {name: web}}\n")
    at(cluster, tl, 50)
    assert {p["spec"]["containers"][0]["image"] for p in web_pods(cluster)} == {"nginx:1.26.0"}
    at(cluster, tl, 100)
    dep = cluster.get("Deployment", "default", "web")
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25.3"
    assert "pod-template-hash" not in dep["spec"]["template"]["metadata"]["labels"]
    assert {p["spec"]["containers"][0]["image"] for p in web_pods(cluster)} == {"nginx:1.25.3"}
    assert dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    assert [f.error for f in tl.fired] == [None, None]


def test_a_step_whose_target_is_gone_is_reported_not_fatal(tmp_path):
    cluster, tl = run(tmp_path, "  - {at: 5s, scale: {name: nope, replicas: 3}}\n"
                                "  - {at: 6s, rolloutUndo: {name: web}}\n")
    at(cluster, tl, 10)
    assert [f.error for f in tl.fired] == [
        'spec.timeline[0] (scale): deployments.apps "nope" not found',
        'spec.timeline[1] (rolloutUndo): no rollout history found for deployment "web"',
    ]


def test_cordon_drain_uncordon(tmp_path):
    cluster, tl = run(tmp_path, "  - {at: 5s, drain: n2}\n  - {at: 1m, uncordon: n2}\n")
    at(cluster, tl, 50)
    assert cluster.get("Node", None, "n2")["spec"]["unschedulable"] is True
    assert all(p["spec"]["nodeName"] == "n1" for p in web_pods(cluster))
    at(cluster, tl, 61)
    assert "unschedulable" not in cluster.get("Node", None, "n2")["spec"]


def test_node_down_goes_not_ready_and_comes_back(tmp_path):
    cluster, tl = run(tmp_path, "  - {at: 5s, nodeDown: n2}\n  - {at: 2m, nodeUp: n2}\n")

    def ready() -> str:
        node = cluster.get("Node", None, "n2")
        return next(c["status"] for c in node["status"]["conditions"] if c["type"] == "Ready")
    at(cluster, tl, 30)
    assert ready() == "True"
    at(cluster, tl, 60)  # node-monitor-grace-period 40s
    assert ready() == "Unknown"
    taints = [t["key"] for t in cluster.get("Node", None, "n2")["spec"].get("taints", [])]
    assert "node.kubernetes.io/unreachable" in taints
    at(cluster, tl, 130)
    assert ready() == "True"


def test_crash_restarts_the_container_and_log_appends(tmp_path):
    pod = """\
---
apiVersion: v1
kind: Pod
metadata: {name: api, labels: {app: api}}
spec:
  containers: [{name: api, image: "nginx:1.25.3"}]
"""
    cluster, tl = run(tmp_path, "  - {at: 10s, log: {pod: api, line: 'fatal: out of cheese'}}\n"
                                "  - {at: 10s, crash: {pod: api, exitCode: 3}}\n", pod)
    at(cluster, tl, 11)
    cs = cluster.get("Pod", "default", "api")["status"]["containerStatuses"][0]
    assert cs["restartCount"] == 1
    assert cs["lastState"]["terminated"]["exitCode"] == 3
    assert cs["lastState"]["terminated"]["reason"] == "Error"
    from k9py.sim.logs import container_logs
    assert "fatal: out of cheese" in container_logs(cluster, "default", "api", previous=True)


def test_pause_step_sets_paused(tmp_path):
    cluster, tl = run(tmp_path, "  - {at: 10s, pause: look at the pods now}\n")
    at(cluster, tl, 11)
    assert tl.paused and tl.fired[0].step.args == {"message": "look at the pods now"}


def test_apply_creates_then_updates(tmp_path):
    cm = "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {k: '%s'}}"
    cluster, tl = run(tmp_path, f"  - {{at: 5s, apply: {cm % 'one'}}}\n  - {{at: 6s, apply: {cm % 'two'}}}\n")
    at(cluster, tl, 5)
    assert cluster.get("ConfigMap", "default", "c")["data"] == {"k": "one"}
    at(cluster, tl, 6)
    assert cluster.get("ConfigMap", "default", "c")["data"] == {"k": "two"}


BUNDLED = sorted(p for p in glob.glob("scenarios/*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=os.path.basename)
def test_bundled_files_check_clean_and_have_a_description(path):
    assert files.check(path) == []
    kind = files.detect(path)
    if kind == files.SCENARIO:
        assert files.parse_file(path).scenario.description  # type: ignore[union-attr]
    elif kind == files.RECORDING:
        from k9py.scenario.recording import parse_recording
        assert parse_recording(path, files.read_text(path)).description


def test_the_bundled_set_is_complete():
    names = {os.path.basename(p)[:-5] for p in BUNDLED}
    assert {"demo", "self-healing", "scaling", "rolling-update", "crashloop", "node-failure", "pv-lifecycle",
            "jobs-cronjobs", "kubeflow"} <= names
    assert any(files.detect(p) == files.RECORDING for p in BUNDLED)


def test_every_step_of_every_bundled_scenario_applies_cleanly():
    for path in BUNDLED:
        if files.detect(path) != files.SCENARIO:
            continue
        cluster = files.load_scenario_cluster(path)
        tl = timeline_of(cluster)
        cluster.advance(tl.scenario.end)
        assert tl.done, path
        assert [f.error for f in tl.fired if f.error and not f.step.refused] == [], path
        # a step meant to be refused was refused, with the API's words
        assert all(f.error and "expected the API to refuse" not in f.error for f in tl.fired if f.step.refused), path


def test_check_names_the_steps_whose_target_the_file_never_has(tmp_path):
    """`scenario check`: a step naming an object that neither the file nor an earlier apply
    step has is a typo (at run time it would only be reported); pods are named as they go."""
    late = ("  - {at: 8s, apply: {apiVersion: v1, kind: ConfigMap, metadata: {name: late}}}\n"
            "  - {at: 9s, delete: {kind: ConfigMap, name: late}}\n")
    path = write(tmp_path, "s.yaml", HEAD + "  - {at: 5s, scale: {name: webb, replicas: 3}}\n"
                                            "  - at: 6s\n    cordon: n3\n"
                                            "  - {at: 7s, delete: {kind: ConfigMap, name: late}}\n"
                                            + late +
                                            "  - {at: 10s, scale: {name: web, replicas: 1}}\n"
                                            "  - {at: 11s, drain: {node: n2}}\n"
                                            "  - {at: 12s, delete: {kind: Pod, name: web-0}}\n" + WEB)
    assert [str(e) for e in files.check(path)] == [
        f'{path}:10: document 1 (Scenario): spec.timeline[0].scale.name: Not found: deployments "webb" '
        'in namespace default: not in the file nor applied by an earlier step',
        f'{path}:12: document 1 (Scenario): spec.timeline[1].cordon: Not found: nodes "n3": '
        'not in the file nor applied by an earlier step',
        f'{path}:13: document 1 (Scenario): spec.timeline[2].delete.name: Not found: configmaps "late" '
        'in namespace default: not in the file nor applied by an earlier step',
    ]


def test_a_step_after_the_scenarios_duration_is_refused(tmp_path):
    path = write(tmp_path, "s.yaml", HEAD.replace("  warmup: 30s\n", "  warmup: 30s\n  duration: 1m\n")
                 + "  - {at: 30s, scale: {name: web, replicas: 3}}\n  - {at: 2m, scale: {name: web, replicas: 1}}\n" + WEB)
    assert [str(e) for e in files.check(path)] == [
        f"{path}:12: document 1 (Scenario): spec.timeline[1].at: Invalid value: 120s: after spec.duration (60s): "
        "the scenario ends before this step runs"]


@pytest.mark.parametrize("code", [99999999999999999999999, 256, -1])
def test_a_crash_exit_code_is_a_process_exit_status(tmp_path, code):
    """A crash step's exitCode of 99999999999999999999999 was taken: the pod's lastState said so
    and kubectl describe / logs --previous could no longer read the pod (json: cannot unmarshal
    number ... of type int32). An exit status is 0 to 255."""
    path = write(tmp_path, "s.yaml", HEAD + f"  - {{at: 10s, crash: {{selector: app=web, exitCode: {code}}}}}\n" + WEB)
    assert [str(e) for e in files.check(path)] == [
        f"{path}:10: document 1 (Scenario): spec.timeline[0].crash.exitCode: Invalid value: {code}: "
        "must be between 0 and 255, inclusive"]


def test_a_manifest_integer_past_its_go_width_is_the_files_error(tmp_path):
    """A Deployment's revisionHistoryLimit of 99999999999 (an int32) loaded, and kubectl against
    serve --scenario could not read the Deployment."""
    path = write(tmp_path, "s.yaml", HEAD + "  - {at: 10s, scale: {name: web, replicas: 3}}\n"
                 + WEB.replace("  replicas: 2\n", "  replicas: 2\n  revisionHistoryLimit: 99999999999\n"))
    assert [str(e) for e in files.check(path)] == [
        f"{path}:17: document 2 (Deployment web): spec.revisionHistoryLimit: Invalid value: 99999999999: "
        "out of range for an int32"]


def test_the_admission_policy_scenario_refuses_what_its_policies_say():
    """admission-policy.yaml: the scale to 8 in prod is refused with the policy's words, dev takes
    it, the rollout to nginx:latest stalls on FailedCreate and its undo brings nginx:1.25.3 back."""
    cluster = files.load_scenario_cluster(os.path.join(catalog.bundled_dir(), "admission-policy.yaml"))
    tl = timeline_of(cluster)
    cluster.advance(35)
    scale = tl.fired[0]
    assert scale.step.refused and scale.error is not None and scale.error.endswith(
        "ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit-prod' denied request: "
        "at most 5 replicas in prod, not 8")
    assert cluster.store.get("Deployment", "prod", "web")["spec"]["replicas"] == 3
    assert cluster.store.get("Deployment", "dev", "web")["spec"]["replicas"] == 8
    cluster.advance(50)
    failed = [e["message"] for e in cluster.store.list("Event", "prod") if e["reason"] == "FailedCreate"]
    assert failed and failed[-1].endswith("ValidatingAdmissionPolicy 'pinned-images' with binding "
                                          "'pinned-images-prod' denied request: pin the image tag: nginx:latest")
    cluster.advance(tl.scenario.end)
    pods = [p for p in cluster.store.list("Pod", "prod") if not p["metadata"].get("deletionTimestamp")]
    assert len(pods) == 3 and {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:1.25.3"}
