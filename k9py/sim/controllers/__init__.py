"""The controllers a simulated cluster runs, in the order each settle pass runs them."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


def default_controllers() -> list[Controller]:
    from k9py.sim.admission_policy import AdmissionPolicyStatusController
    from k9py.sim.bootstrap import KubernetesServiceController
    from k9py.sim.cluster import ANY_KIND
    from k9py.sim.controllers.cronjob import CronJobController
    from k9py.sim.controllers.csrsigning import CSRSigningController
    from k9py.sim.controllers.daemonset import DaemonSetController
    from k9py.sim.controllers.deployment import DeploymentController
    from k9py.sim.controllers.disruption import DisruptionController
    from k9py.sim.controllers.endpoints import EndpointsController
    from k9py.sim.controllers.gc import GarbageCollector
    from k9py.sim.controllers.hpa import HorizontalPodAutoscalerController
    from k9py.sim.controllers.job import JobController
    from k9py.sim.controllers.namespace import NamespaceController
    from k9py.sim.controllers.nodes import NodeLifecycleController
    from k9py.sim.controllers.quota import ResourceQuotaController
    from k9py.sim.controllers.replicaset import ReplicaSetController
    from k9py.sim.controllers.statefulset import StatefulSetController
    from k9py.sim.controllers.volumes import VolumeController
    from k9py.sim.crds import CRDController
    from k9py.sim.dra import ResourceClaimController
    from k9py.sim.flowcontrol import FlowControlController
    from k9py.sim.ipaddresses import IPAddressController
    from k9py.sim.kubelet import Kubelet
    from k9py.sim.scheduler import Scheduler
    from k9py.sim.training import PyTorchJobController

    # Which kinds' changes wake each controller between clock ticks (every controller also runs
    # when a wake-up is due). ANY_KIND: any change wakes it (GC, namespaces and quota look at
    # objects of every kind).
    WATCHES: dict[type, tuple[str, ...] | str] = {
        GarbageCollector: ANY_KIND,
        NamespaceController: ANY_KIND,
        ResourceQuotaController: ANY_KIND,
        NodeLifecycleController: ("Node", "Pod"),
        CronJobController: ("CronJob", "Job"),
        JobController: ("Job", "Pod"),
        DeploymentController: ("Deployment", "ReplicaSet", "Pod"),
        ReplicaSetController: ("ReplicaSet", "Pod"),
        StatefulSetController: ("StatefulSet", "Pod", "PersistentVolumeClaim", "ControllerRevision"),
        DaemonSetController: ("DaemonSet", "Node", "Pod", "ControllerRevision"),
        VolumeController: ("PersistentVolume", "PersistentVolumeClaim", "StorageClass", "Pod"),
        Scheduler: ("Pod", "Node", "PersistentVolumeClaim", "ResourceClaim", "DeviceClass"),
        Kubelet: ("Pod", "Node"),
        EndpointsController: ("Service", "Pod", "Endpoints", "EndpointSlice"),
        PyTorchJobController: ("PyTorchJob", "Pod", "Service"),
        ResourceClaimController: ("Pod", "ResourceClaimTemplate"),
    }

    controllers: list[Controller] = [
        NodeLifecycleController(), NamespaceController(), GarbageCollector(),
        CronJobController(), JobController(), DeploymentController(), ReplicaSetController(),
        StatefulSetController(), DaemonSetController(), VolumeController(),
        Scheduler(), Kubelet(), EndpointsController(), ResourceQuotaController(), CRDController(),
        HorizontalPodAutoscalerController(), DisruptionController(), PyTorchJobController(),
        FlowControlController(), IPAddressController(), CSRSigningController(), KubernetesServiceController(),
        AdmissionPolicyStatusController(), ResourceClaimController(),
    ]
    for c in controllers:
        if getattr(c, "watches", None) is None and type(c) in WATCHES:
            c.watches = WATCHES[type(c)]
    return controllers


__all__ = ["Controller", "default_controllers"]
