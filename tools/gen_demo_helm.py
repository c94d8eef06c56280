"""Print the demo's Helm release of istiod (scenarios/demo.yaml's last documents): the two
Secrets Helm's storage driver keeps its revisions in (an install, then an upgrade that turned the
autoscaler off), their manifest the istiod Deployment and Service of demo.yaml, their times the
demo's clock start (the simulator's epoch) and two minutes later. Run from the repository root and
put its output in place of the documents after the `Helm: the istiod release` comment:

    PYTHONPATH=. .venv/bin/python tools/gen_demo_helm.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

from k9py.kube.timefmt import rfc3339_nano
from k9py.sim.clock import DEFAULT_EPOCH
from k9py.view import helm

DEMO = Path(__file__).resolve().parent.parent / "scenarios" / "demo.yaml"
CHART_VALUES = {
    "global": {"hub": "docker.io/istio", "tag": "1.22.1", "istioNamespace": "istio-system",
               "logging": {"level": "default:info"}, "proxy": {"privileged": False}},
    "pilot": {"autoscaleEnabled": True, "autoscaleMin": 1, "autoscaleMax": 5, "replicaCount": 1,
              "image": "pilot", "traceSampling": 1.0, "env": {},
              "resources": {"requests": {"cpu": "500m", "memory": "2048Mi"}}},
    "meshConfig": {"enablePrometheusMerge": True},
    "revision": "",
    "telemetry": {"enabled": True, "v2": {"enabled": True}},
}
NOTES = """"istiod" successfully installed!

To learn more about the release, try:
  $ helm status istiod -n istio-system
  $ helm get all istiod -n istio-system

Next steps:
  * Deploy a Gateway: https://istio.io/latest/docs/setup/additional-setup/gateway/
  * Try out our tasks to get started on common configurations:
    * https://istio.io/latest/docs/tasks/traffic-management
    * https://istio.io/latest/docs/tasks/security/
    * https://istio.io/latest/docs/tasks/policy-enforcement/
"""


def manifest() -> str:
    docs = [d for d in yaml.safe_load_all(DEMO.read_text())
            if isinstance(d, dict) and d.get("kind") in ("Deployment", "Service")
            and (d.get("metadata") or {}).get("name") == "istiod"]
    out = []
    for d in docs:
        d["metadata"].pop("annotations", None)  # Helm adds its ownership annotations as it applies
        source = "deployment.yaml" if d["kind"] == "Deployment" else "service.yaml"
        out.append(f"---\n# Source: istiod/templates/{source}\n" + yaml.safe_dump(d, sort_keys=False))
    return "".join(out)


def revision(version: int, config: dict, at: float, first: float, status: str, description: str) -> dict:
    return {"name": "istiod", "namespace": "istio-system", "version": version,
            "info": {"first_deployed": rfc3339_nano(first), "last_deployed": rfc3339_nano(at), "deleted": "",
                     "description": description, "status": status, "notes": NOTES},
            "chart": {"metadata": {"name": "istiod", "version": "1.22.1", "appVersion": "1.22.1", "apiVersion": "v2",
                                   "description": "Helm chart for istio control plane", "type": "application",
                                   "icon": "https://istio.io/latest/favicons/android-192x192.png",
                                   "keywords": ["istio", "istiod", "istio-discovery"],
                                   "sources": ["https://github.com/istio/istio"]},
                      "values": CHART_VALUES, "templates": [], "files": []},
            "config": config, "manifest": manifest(), "hooks": []}


def main() -> None:
    start = DEFAULT_EPOCH
    requests = {"pilot": {"resources": {"requests": {"cpu": "100m", "memory": "256Mi"}}}}
    upgraded = {"pilot": {**requests["pilot"], "autoscaleEnabled": False}}
    for rel in (revision(1, requests, start, start, "superseded", "Install complete"),
                revision(2, upgraded, start + 120, start, "deployed", "Upgrade complete")):
        secret = helm.release_secret(rel, modified_at=int(start + 120))
        print("---")
        print(yaml.safe_dump(secret, sort_keys=False, width=1 << 20), end="")


if __name__ == "__main__":
    main()
