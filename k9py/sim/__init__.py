"""The Kubernetes simulator: store, clock, cluster (the apiserver), admission, controllers, kubelet."""
