"""The apiserver's health endpoints, ``/livez``, ``/readyz`` and ``/healthz``: ``ok``, or with
``?verbose`` each check on a line and ``livez check passed`` (``?exclude=NAME`` marks a check
excluded); ``/readyz/NAME`` is one check, and a name it does not have is a 404 as on a real server.
Every check passes: the simulator's control plane is up whenever it answers."""

from __future__ import annotations

_HOOKS = ("start-apiserver-admission-initializer", "generic-apiserver-start-informers",
          "priority-and-fairness-config-consumer", "priority-and-fairness-filter",
          "storage-object-count-tracker-hook", "start-apiextensions-informers", "start-apiextensions-controllers",
          "crd-informer-synced", "start-system-namespaces-controller", "bootstrap-controller",
          "rbac/bootstrap-roles", "scheduling/bootstrap-system-priority-classes",
          "priority-and-fairness-config-producer", "start-cluster-authentication-info-controller",
          "start-kube-apiserver-identity-lease-controller", "start-kube-apiserver-identity-lease-garbage-collector",
          "start-legacy-token-tracking-controller", "start-service-ip-repair-controllers",
          "aggregator-reload-proxy-client-cert", "start-kube-aggregator-informers",
          "apiservice-registration-controller", "apiservice-status-available-controller",
          "apiservice-discovery-controller", "kube-apiserver-autoregistration")
_LATE = ("autoregister-completion", "poststarthook/apiservice-openapi-controller",
         "poststarthook/apiservice-openapiv3-controller")
CHECKS = {
    "livez": ("ping", "log", "etcd", *(f"poststarthook/{h}" for h in _HOOKS), *_LATE),
    "readyz": ("ping", "log", "etcd", "etcd-readiness", "informer-sync", *(f"poststarthook/{h}" for h in _HOOKS),
               *_LATE, "shutdown"),
    "healthz": ("ping", "log", "etcd", *(f"poststarthook/{h}" for h in _HOOKS), *_LATE),
}


def answer(path: str, verbose: bool, excluded: list[str]) -> tuple[int, str]:
    """(status, body) for ``path`` (``/readyz``, ``/readyz/etcd``...)."""
    endpoint, _, check = path.strip("/").partition("/")
    checks = CHECKS[endpoint]
    if check:
        return (200, "ok") if check in checks else (404, "404 page not found\n")
    if not verbose:
        return 200, "ok"
    lines = [f"[+]{c} excluded: ok" if c in excluded else f"[+]{c} ok" for c in checks]
    return 200, "\n".join([*lines, f"{endpoint} check passed", ""])
