"""k9s's UsedBy scan (view/references.py): which workloads' pod templates refer to an object."""

from k9py.view.references import used_by, uses


def dep(name, ns="default", **pod_spec):
    return {"kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"template": {"spec": {"containers": [{"name": "c"}], **pod_spec}}}}


def test_configmap_references_as_k9s_finds_them():
    env_from = dep("a", containers=[{"name": "c", "envFrom": [{"configMapRef": {"name": "cfg"}}]}])
    key_ref = dep("b", initContainers=[{"name": "i", "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "k"}}}]}])
    volume = dep("c", volumes=[{"name": "v", "configMap": {"name": "cfg"}}])
    projected = dep("d", volumes=[{"name": "v", "projected": {"sources": [{"configMap": {"name": "cfg"}}]}}])
    other = dep("e", volumes=[{"name": "v", "configMap": {"name": "other"}}])
    elsewhere = dep("f", ns="prod", volumes=[{"name": "v", "configMap": {"name": "cfg"}}])
    assert all(uses("ConfigMap", "cfg", o) for o in (env_from, key_ref, volume, projected))
    assert not uses("ConfigMap", "cfg", other) and not uses("Secret", "cfg", volume)
    found = used_by("ConfigMap", "default", "cfg", {"Deployment": [volume, other, env_from, elsewhere, key_ref, projected]})
    assert found == [("default", n, "apps/v1/deployments") for n in "abcd"]


def test_secret_service_account_and_claim_references():
    pull = dep("a", imagePullSecrets=[{"name": "regcred"}])
    vol = dep("b", volumes=[{"name": "v", "secret": {"secretName": "regcred"}}])
    assert uses("Secret", "regcred", pull) and uses("Secret", "regcred", vol)
    assert uses("ServiceAccount", "default", dep("c")) and not uses("ServiceAccount", "robot", dep("c"))
    assert uses("ServiceAccount", "robot", dep("d", serviceAccountName="robot"))
    assert uses("PersistentVolumeClaim", "data", dep("e", volumes=[{"name": "v", "persistentVolumeClaim": {"claimName": "data"}}]))
    sts = {"kind": "StatefulSet", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"template": {"spec": {}}, "volumeClaimTemplates": [{"metadata": {"name": "www"}}]}}
    assert uses("PersistentVolumeClaim", "www-web-0", sts) and uses("PersistentVolumeClaim", "www-web-12", sts)
    assert not uses("PersistentVolumeClaim", "www-webby-0", sts)
    cj = {"kind": "CronJob", "metadata": {"name": "nightly", "namespace": "default"},
          "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [
              {"name": "c", "env": [{"name": "P", "valueFrom": {"secretKeyRef": {"name": "db", "key": "p"}}}]}]}}}}}}
    assert used_by("Secret", "default", "db", {"CronJob": [cj], "Deployment": [pull]}) == \
        [("default", "nightly", "batch/v1/cronjobs")]


def test_malformed_templates_refer_to_nothing():
    for bad in ({"kind": "Deployment", "metadata": {"name": "x", "namespace": "default"}, "spec": None},
                {"kind": "CronJob", "metadata": {"name": "z"}, "spec": {"jobTemplate": "x"}},
                {"kind": "StatefulSet", "metadata": {"name": "w"}, "spec": {"volumeClaimTemplates": 3}},
                dep("v", containers=[{"name": "c", "envFrom": [{"configMapRef": "cfg"}], "env": [{"valueFrom": "x"}]}],
                    volumes=[{"configMap": "cfg", "projected": {"sources": "x"}}]),
                dep("y", containers="nope", volumes=[None, {"configMap": None}])):
        assert not uses("ConfigMap", "cfg", bad) and not uses("PersistentVolumeClaim", "cfg", bad)
