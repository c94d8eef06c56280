"""The classic CronTab CustomResourceDefinition of the Kubernetes docs, and a few CronTabs."""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


def crontab_crd(**spec: Any) -> Obj:
    """crontabs.stable.example.com (short name ct) with SPEC, REPLICAS and AGE columns;
    ``spec`` overrides parts of its spec."""
    crd: Obj = {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "crontabs.stable.example.com"},
        "spec": {
            "group": "stable.example.com", "scope": "Namespaced",
            "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"]},
            "versions": [{
                "name": "v1", "served": True, "storage": True,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {
                    "type": "object", "properties": {"cronSpec": {"type": "string"}, "image": {"type": "string"},
                                                     "replicas": {"type": "integer"}}}}}},
                "additionalPrinterColumns": [
                    {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec",
                     "description": "The cron spec defining the interval a CronJob is run"},
                    {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
                    {"name": "Image", "type": "string", "jsonPath": ".spec.image", "priority": 1},
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}],
            }],
        },
    }
    crd["spec"].update(spec)
    return crd


def crontab(name: str, namespace: str = "default", *, spec: str = "* * * * */5", replicas: int = 1,
            image: str = "my-awesome-cron-image", version: str = "v1") -> Obj:
    return {"apiVersion": f"stable.example.com/{version}", "kind": "CronTab",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"cronSpec": spec, "image": image, "replicas": replicas}}


def add_crontabs(cluster: Any) -> None:
    """The CRD and three CronTabs (two in default, one in kube-system), through the API."""
    with cluster.lock:
        cluster.create(crontab_crd())
        cluster.create(crontab("nightly", spec="0 3 * * *", replicas=2))
        cluster.create(crontab("every-5m"))
        cluster.create(crontab("cleanup", "kube-system", spec="@hourly", replicas=3, image="cleaner:1.0"))
        cluster.settle()
