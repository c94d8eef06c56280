"""kubectl's columns and cells: the apiserver's server-side printing, for `serve` and the UI.

Mirrors pkg/printers/internalversion/printers.go (column definitions and ``printX`` cell logic)
and, for kinds without a printer (Role, ClusterRole, LimitRange, …), the default table
convertor of k8s.io/apiserver (NAME + ``Created At``). The apiserver always generates the wide
cells; kubectl hides ``priority: 1`` columns unless ``-o wide``. So ``cells()`` returns every
column's cell, in ``columns()`` order.

Pure functions over API-shaped dicts; no simulator or UI imports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from k9py.kube.meta import dig
from k9py.kube.resources import PrinterColumn
from k9py.view import printers_cells as pc
from k9py.view import printers_crd
from k9py.view.printers_format import access_modes, rfc3339_utc
from k9py.view.printers_pod import (
    node_cells,
    node_roles,
    node_status,
    pod_cells,
    pod_ready,
    pod_restarts,
    pod_row_conditions,
    pod_status_reason,
    pod_summary,
)

Obj = dict[str, Any]

__all__ = [
    "ColumnDef",
    "access_modes",
    "cells",
    "column_names",
    "columns",
    "format_ports",
    "has_printer",
    "node_roles",
    "node_status",
    "partial_object_metadata",
    "pod_ready",
    "pod_restarts",
    "pod_status_reason",
    "pod_summary",
    "row",
    "table",
]

format_ports = pc.format_ports


class ColumnDef(NamedTuple):
    """One ``TableColumnDefinition``."""

    name: str
    type: str = "string"
    format: str = ""
    priority: int = 0
    description: str = ""

    def to_api(self) -> Obj:
        return {"name": self.name, "type": self.type, "format": self.format,
                "description": self.description, "priority": self.priority}


# Descriptions: the swagger docs the apiserver puts in columnDefinitions (kubectl ignores them).
NAME_DOC = ("Name must be unique within a namespace. Is required when creating resources, although some "
            "resources may allow a client to request the generation of an appropriate name automatically. "
            "Name is primarily intended for creation idempotence and configuration definition. Cannot be "
            "updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
AGE_DOC = ("CreationTimestamp is a timestamp representing the server time when this object was created. It "
           "is not guaranteed to be set in happens-before order across separate operations. Clients may not "
           "set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. "
           "Read-only. Null for lists. More info: "
           "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")
CONTAINERS_DOC = "Names of each container in the template."
IMAGES_DOC = "Images referenced by each container in the template."
SELECTOR_DOC = ("A label query over pods that should match the replica count. It must match the pod "
                "template's labels.")

NAME = ColumnDef("Name", "string", "name", 0, NAME_DOC)
AGE = ColumnDef("Age", "string", "", 0, AGE_DOC)


def _c(name: str, description: str = "", *, type: str = "string", priority: int = 0) -> ColumnDef:
    return ColumnDef(name, type, "", priority, description)


def _wide(name: str, description: str = "") -> ColumnDef:
    return ColumnDef(name, "string", "", 1, description)


_TEMPLATE = [_wide("Containers", CONTAINERS_DOC), _wide("Images", IMAGES_DOC)]

COLUMNS: dict[str, list[ColumnDef]] = {
    "Pod": [
        NAME,
        _c("Ready", "The aggregate readiness state of this pod for accepting traffic."),
        _c("Status", "The aggregate status of the containers in this pod."),
        _c("Restarts", "The number of times the containers in this pod have been restarted and when the "
                       "last container in this pod has restarted."),
        AGE,
        _wide("IP", "podIP address allocated to the pod. Routable at least within the cluster. Empty if "
                    "not yet allocated."),
        _wide("Node", "NodeName indicates in which node this pod is scheduled."),
        _wide("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the "
                                "node, but it cannot be scheduled right away as preemption victims receive "
                                "their graceful termination periods."),
        _wide("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness."),
    ],
    "Node": [
        NAME,
        _c("Status", "The status of the node"),
        _c("Roles", "The roles of the node"),
        AGE,
        _c("Version", "Kubelet Version reported by the node."),
        _wide("Internal-IP", "List of addresses reachable to the node."),
        _wide("External-IP", "List of addresses reachable to the node."),
        _wide("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
        _wide("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
        _wide("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API "
                                   "(e.g. containerd://1.4.2)."),
    ],
    "Deployment": [
        NAME,
        _c("Ready", "Number of the pod with ready state"),
        _c("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the "
                         "desired template spec."),
        _c("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by "
                        "this deployment."),
        AGE, *_TEMPLATE,
        _wide("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will "
                          "be the ones affected by this deployment."),
    ],
    "ReplicaSet": [
        NAME,
        _c("Desired", "Replicas is the number of desired replicas.", type="integer"),
        _c("Current", "Replicas is the most recently observed number of replicas.", type="integer"),
        _c("Ready", "The number of ready replicas for this replica set.", type="integer"),
        AGE, *_TEMPLATE, _wide("Selector", SELECTOR_DOC),
    ],
    "ReplicationController": [
        NAME,
        _c("Desired", "Replicas is the number of desired replicas.", type="integer"),
        _c("Current", "Replicas is the most recently observed number of replicas.", type="integer"),
        _c("Ready", "The number of ready replicas for this replication controller.", type="integer"),
        AGE, *_TEMPLATE, _wide("Selector", SELECTOR_DOC),
    ],
    "StatefulSet": [
        NAME, _c("Ready", "Number of the pod with ready state"), AGE, *_TEMPLATE,
    ],
    "DaemonSet": [
        NAME,
        _c("Desired", "The total number of nodes that should be running the daemon pod (including nodes "
                      "correctly running the daemon pod).", type="integer"),
        _c("Current", "The number of nodes that are running at least 1 daemon pod and are supposed to run "
                      "the daemon pod.", type="integer"),
        _c("Ready", "The number of nodes that should be running the daemon pod and have one or more of the "
                    "daemon pod running and ready.", type="integer"),
        _c("Up-to-date", "The total number of nodes that are running updated daemon pod", type="integer"),
        _c("Available", "The number of nodes that should be running the daemon pod and have one or more of "
                        "the daemon pod running and available (ready for at least "
                        "spec.minReadySeconds)", type="integer"),
        _c("Node Selector", "NodeSelector is a selector which must be true for the pod to fit on a node."),
        AGE, *_TEMPLATE,
        _wide("Selector", "A label query over pods that are managed by the daemon set."),
    ],
    "Job": [
        NAME,
        _c("Status", "Status of the job."),
        _c("Completions", "The number of pods which reached phase Succeeded."),
        _c("Duration", "Time required to complete the job."),
        AGE, *_TEMPLATE,
        _wide("Selector", "A label query over pods that should match the pod count."),
    ],
    "CronJob": [
        NAME,
        _c("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        _c("Timezone", "The time zone name for the given schedule."),
        _c("Suspend", "This flag tells the controller to suspend subsequent executions, it does not apply "
                      "to already started executions.", type="boolean"),
        _c("Active", "A list of pointers to currently running jobs.", type="integer"),
        _c("Last Schedule", "Information when was the last time the job was successfully scheduled."),
        AGE, *_TEMPLATE,
        _wide("Selector", "A label query over pods that should match the pod count."),
    ],
    "Service": [
        NAME,
        _c("Type", "type determines how the Service is exposed."),
        _c("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."),
        _c("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also "
                          "accept traffic for this service."),
        _c("Port(s)", "The list of ports that are exposed by this service."),
        AGE,
        _wide("Selector", "Route service traffic to pods with label keys and values matching this selector."),
    ],
    "Endpoints": [
        NAME, _c("Endpoints", "The set of all endpoints is the union of all subsets."), AGE,
    ],
    "EndpointSlice": [
        NAME,
        _c("AddressType", "addressType specifies the type of address carried by this EndpointSlice."),
        _c("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice."),
        _c("Endpoints", "endpoints is a list of unique endpoints in this slice."),
        AGE,
    ],
    "Ingress": [
        NAME,
        _c("Class", "The name of the IngressClass resource that should be used for additional configuration"),
        _c("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
        _c("Address", "Address is a list containing ingress points for the load-balancer"),
        _c("Ports", "Ports of TLS configurations that open"),
        AGE,
    ],
    "IngressClass": [
        NAME,
        _c("Controller", "Controller that is responsible for handling this class"),
        _c("Parameters", "A reference to a resource with additional parameters"),
        AGE,
    ],
    "NetworkPolicy": [
        NAME, _c("Pod-Selector", "Selects the pods to which this NetworkPolicy object applies."), AGE,
    ],
    "Namespace": [NAME, _c("Status", "The status of the namespace"), AGE],
    "Secret": [
        NAME,
        _c("Type", "Used to facilitate programmatic handling of secret data."),
        _c("Data", "Data contains the secret data."),
        AGE,
    ],
    "ServiceAccount": [
        NAME, _c("Secrets", "Secrets is a list of the secrets in the same namespace that pods running using "
                            "this ServiceAccount are allowed to use."), AGE,
    ],
    "ConfigMap": [NAME, _c("Data", "Data contains the configuration data."), AGE],
    "PersistentVolume": [
        NAME,
        _c("Capacity", "capacity is the description of the persistent volume's resources and capacity."),
        _c("Access Modes", "accessModes contains all ways the volume can be mounted."),
        _c("Reclaim Policy", "persistentVolumeReclaimPolicy defines what happens to a persistent volume "
                             "when released from its claim."),
        _c("Status", "phase indicates if a volume is available, bound to a claim, or released by a claim."),
        _c("Claim", "claimRef is part of a bi-directional binding between PersistentVolume and "
                    "PersistentVolumeClaim."),
        _c("StorageClass", "StorageClass of the pv"),
        _c("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
        _c("Reason", "reason is a brief CamelCase string that describes any failure and is meant for "
                     "machine parsing and tidy display in the CLI."),
        AGE,
        _wide("VolumeMode", "volumeMode defines if a volume is intended to be used with a formatted "
                            "filesystem or to remain in raw block state."),
    ],
    "PersistentVolumeClaim": [
        NAME,
        _c("Status", "phase represents the current phase of PersistentVolumeClaim."),
        _c("Volume", "volumeName is the binding reference to the PersistentVolume backing this claim."),
        _c("Capacity", "capacity represents the actual resources of the underlying volume."),
        _c("Access Modes", "accessModes contains the actual access modes the volume backing the PVC has."),
        _c("StorageClass", "StorageClass of the pvc"),
        _c("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
        AGE,
        _wide("VolumeMode", "volumeMode defines what type of volume is required by the claim."),
    ],
    "StorageClass": [
        NAME,
        _c("Provisioner", "provisioner indicates the type of the provisioner."),
        _c("ReclaimPolicy", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned "
                            "PersistentVolumes of this storage class."),
        _c("VolumeBindingMode", "volumeBindingMode indicates how PersistentVolumeClaims should be "
                                "provisioned and bound."),
        _c("AllowVolumeExpansion", "allowVolumeExpansion shows whether the storage class allow volume expand."),
        AGE,
    ],
    "Event": [
        _c("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
        _c("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
        _c("Reason", "This should be a short, machine understandable string that gives the reason for "
                     "the transition into the object's current status."),
        _c("Object", "The object that this event is about."),
        _wide("Subobject", "If referring to a piece of an object instead of an entire object, this string "
                           "should contain a valid JSON/Go field access statement, such as "
                           "desiredState.manifest.containers[2]."),
        _wide("Source", "The component reporting this event. Should be a short machine understandable string."),
        _c("Message", "A human-readable description of the status of this operation."),
        _wide("First Seen", "The time at which the event was first recorded. (Time of server receipt is in "
                            "TypeMeta.)"),
        _wide("Count", "The number of times this event has occurred."),
        ColumnDef("Name", "string", "name", 1, NAME_DOC),
    ],
    "ResourceQuota": [
        NAME,
        _c("Request", "Request represents a minimum amount of cpu/memory that a container may consume."),
        _c("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent "
                    "of contention on the node."),
        AGE,
    ],
    "ComponentStatus": [
        NAME,
        _c("Status", "Status of the component conditions"),
        _c("Message", "Message of the component conditions"),
        _c("Error", "Error of the component conditions"),
    ],
    "ControllerRevision": [
        NAME,
        _c("Controller", "Controller of the object"),
        _c("Revision", "Revision indicates the revision of the state represented by Data."),
        AGE,
    ],
    "PodDisruptionBudget": [
        NAME,
        _c("Min Available", "The minimum number of pods that must be available."),
        _c("Max Unavailable", "The maximum number of pods that may be unavailable."),
        _c("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time.", type="integer"),
        AGE,
    ],
    "HorizontalPodAutoscaler": [
        NAME,
        _c("Reference", "reference to scaled resource; horizontal pod autoscaler will learn the current "
                        "resource consumption and will set the desired number of pods by using its Scale "
                        "subresource."),
        _c("Targets", "metrics contains the specifications for which to use to calculate the desired "
                      "replica count."),
        _c("MinPods", "minReplicas is the lower limit for the number of replicas to which the autoscaler "
                      "can scale down."),
        _c("MaxPods", "maxReplicas is the upper limit for the number of replicas to which the autoscaler "
                      "can scale up."),
        _c("Replicas", "currentReplicas is current number of replicas of pods managed by this autoscaler, "
                       "as last seen by the autoscaler."),
        AGE,
    ],
    "RoleBinding": [
        NAME,
        _c("Role", "RoleRef can reference a Role in the current namespace or a ClusterRole in the global "
                   "namespace."),
        AGE,
        _wide("Users", "Users in the roleBinding"),
        _wide("Groups", "Groups in the roleBinding"),
        _wide("ServiceAccounts", "ServiceAccounts in the roleBinding"),
    ],
    "ClusterRoleBinding": [
        NAME,
        _c("Role", "RoleRef can only reference a ClusterRole in the global namespace."),
        AGE,
        _wide("Users", "Users in the clusterRoleBinding"),
        _wide("Groups", "Groups in the clusterRoleBinding"),
        _wide("ServiceAccounts", "ServiceAccounts in the clusterRoleBinding"),
    ],
    "Lease": [NAME, _c("Holder", "holderIdentity contains the identity of the holder of a current lease."), AGE],
    "PriorityClass": [
        NAME,
        _c("Value", "value represents the integer value of this priority class.", type="integer"),
        _c("Global-Default", "globalDefault specifies whether this PriorityClass should be considered as "
                             "the default priority for pods that do not have any priority class.",
           type="boolean"),
        AGE,
        _c("PreemptionPolicy", "preemptionPolicy is the Policy for preempting pods with lower priority."),
    ],
    "PodTemplate": [
        NAME,
        _c("Containers", CONTAINERS_DOC),
        _c("Images", IMAGES_DOC),
        _c("Pod Labels", "The labels for the pod template."),
    ],
    # its Handler's description is ObjectMeta's swagger doc of "handler": none
    "RuntimeClass": [NAME, _c("Handler"), AGE],
    "CSINode": [NAME, _c("Drivers", "Drivers indicates the number of CSI drivers registered on the node",
                         type="integer"), AGE],
    "CSIDriver": [
        NAME,
        _c("AttachRequired", "attachRequired indicates this CSI volume driver requires an attach operation.",
           type="boolean"),
        _c("PodInfoOnMount", "podInfoOnMount indicates this CSI volume driver requires additional pod "
           "information (like podName, podUID, etc.) during mount operations.", type="boolean"),
        _c("StorageCapacity", "storageCapacity indicates that the CSI volume driver wants pod scheduling to "
           "consider the storage capacity that the driver deployment will report.", type="boolean"),
        _c("TokenRequests", "tokenRequests indicates the CSI driver needs pods' service account tokens it is "
           "mounting volume for to do necessary authentication."),
        _c("RequiresRepublish", "requiresRepublish indicates the CSI driver wants `NodePublishVolume` being "
           "periodically called to reflect any possible change in the mounted volume.", type="boolean"),
        _c("Modes", "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports."),
        AGE,
    ],
    "CSIStorageCapacity": [
        NAME,
        _c("StorageClassName", "storageClassName represents the name of the StorageClass that the reported "
           "capacity applies to."),
        _c("Capacity", "capacity is the value reported by the CSI driver in its GetCapacityResponse for a "
           "GetCapacityRequest with topology and parameters that match the previous fields."),
    ],
    "VolumeAttachment": [
        NAME,
        _c("Attacher", "attacher indicates the name of the volume driver that MUST handle this request."),
        _c("PV", "persistentVolumeName represents the name of the persistent volume to attach."),
        _c("Node", "nodeName represents the node that the volume should be attached to."),
        _c("Attached", "attached indicates the volume is successfully attached.", type="boolean"),
        AGE,
    ],
    "VolumeAttributesClass": [
        NAME,
        _c("DriverName", "Name of the CSI driver This field is immutable."),
        AGE,
    ],
    "ResourceClaim": [NAME, _c("State", "A summary of the current state (allocated, pending, reserved, etc.)."), AGE],
    "ResourceClaimTemplate": [NAME, AGE],
    "DeviceClass": [NAME, AGE],
    "ResourceSlice": [
        NAME,
        _c("Node", "The node whose devices the slice lists (set when they are local to one node)."),
        _c("Driver", "The DRA driver that publishes the slice."),
        _c("Pool", "The name of the pool of devices the slice belongs to."),
        AGE,
    ],
    "ServiceCIDR": [
        NAME,
        _c("CIDRs", "CIDRs defines the IP blocks in CIDR notation (e.g. \"192.168.0.0/24\" or \"2001:db8::/64\") "
           "from which to assign service cluster IPs."),
        AGE,
    ],
    "IPAddress": [
        NAME,
        _c("ParentRef", "ParentRef references the resource that an IPAddress is attached to."),
    ],
    "FlowSchema": [
        NAME,
        _c("PriorityLevel", "`name` is the name of the priority level configuration being referenced Required."),
        _c("MatchingPrecedence", "`matchingPrecedence` is used to choose among the FlowSchemas that match a "
           "given request."),
        _c("DistinguisherMethod", "`distinguisherMethod` defines how to compute the flow distinguisher for "
           "requests that match this schema."),
        AGE,
        _c("MissingPL", "references a broken or non-existent PriorityLevelConfiguration"),
    ],
    "PriorityLevelConfiguration": [
        NAME,
        _c("Type", "`type` indicates whether this priority level is subject to limitation on request "
           "execution."),
        _c("NominalConcurrencyShares", "`nominalConcurrencyShares` (NCS) contributes to the computation of the "
           "NominalConcurrencyLimit (NominalCL) of this level."),
        _c("Queues", "`queues` is the number of queues for this priority level."),
        _c("HandSize", "`handSize` is a small positive number that configures the shuffle sharding of requests "
           "into queues."),
        _c("QueueLengthLimit", "`queueLengthLimit` is the maximum number of requests allowed to be waiting in a "
           "given queue of this priority level at a time."),
        AGE,
    ],
    "MutatingWebhookConfiguration": [
        NAME, _c("Webhooks", "Webhooks indicates the number of webhooks registered in this configuration",
                 type="integer"), AGE],
    "ValidatingWebhookConfiguration": [
        NAME, _c("Webhooks", "Webhooks indicates the number of webhooks registered in this configuration",
                 type="integer"), AGE],
    "ValidatingAdmissionPolicy": [
        NAME, _c("Validations", "Validations indicates the number of validation rules defined in this configuration",
                 type="integer"),
        _c("ParamKind", "ParamKind specifies the kind of resources used to parameterize this policy"), AGE],
    "ValidatingAdmissionPolicyBinding": [
        NAME, _c("PolicyName", "PolicyName indicates the policy definition which the policy binding binded to"),
        _c("ParamRef", "ParamRef indicates the param resource which sets the configration param"), AGE],
    # the scale subresource (`kubectl get deploy x --subresource=scale`); its Name has no "name" format
    "Scale": [
        ColumnDef("Name", "string", "", 0, NAME_DOC),
        _c("Desired", "replicas is the desired number of instances for the scaled object.", type="integer"),
        _c("Available", "replicas is the actual number of observed instances of the scaled object.", type="integer"),
        AGE,
    ],
    "CertificateSigningRequest": [
        NAME,
        AGE,
        _c("SignerName", "signerName indicates the requested signer, and is a qualified name."),
        _c("Requestor", "request contains an x509 certificate signing request encoded in a \"CERTIFICATE "
                        "REQUEST\" PEM block. When serialized as JSON or YAML, the data is additionally "
                        "base64-encoded."),
        _c("RequestedDuration", "expirationSeconds is the requested duration of validity of the issued "
                                "certificate. The certificate signer may issue a certificate with a different "
                                "validity duration so a client must check the delta between the notBefore and "
                                "and notAfter fields in the issued certificate to determine the actual duration."),
        _c("Condition", "conditions applied to the request. Known conditions are \"Approved\", \"Denied\", "
                        "and \"Failed\"."),
    ],
    # kube-aggregator's (pkg/registry/apiservice/etcd/etcd.go ConvertToTable)
    "APIService": [
        NAME,
        _c("Service", "The reference to the service that hosts this API endpoint."),
        _c("Available", "Whether this service is available."),
        AGE,
    ],
}

# The default table convertor (k8s.io/apiserver/pkg/registry/rest/table.go).
DEFAULT_COLUMNS = [NAME, ColumnDef("Created At", "date", "", 0, AGE_DOC)]

_CELLS: dict[str, Callable[[Obj, float], list[Any]]] = {
    "Pod": pod_cells,
    "Node": node_cells,
    "Deployment": pc.deployment_cells,
    "ReplicaSet": pc.replicaset_cells,
    "ReplicationController": pc.replicationcontroller_cells,
    "StatefulSet": pc.statefulset_cells,
    "DaemonSet": pc.daemonset_cells,
    "Job": pc.job_cells,
    "CronJob": pc.cronjob_cells,
    "Service": pc.service_cells,
    "Endpoints": pc.endpoints_cells,
    "EndpointSlice": pc.endpointslice_cells,
    "Ingress": pc.ingress_cells,
    "IngressClass": pc.ingressclass_cells,
    "NetworkPolicy": pc.networkpolicy_cells,
    "Namespace": pc.namespace_cells,
    "Secret": pc.secret_cells,
    "ServiceAccount": pc.serviceaccount_cells,
    "ConfigMap": pc.configmap_cells,
    "PersistentVolume": pc.pv_cells,
    "PersistentVolumeClaim": pc.pvc_cells,
    "StorageClass": pc.storageclass_cells,
    "Event": pc.event_cells,
    "ResourceQuota": pc.resourcequota_cells,
    "ComponentStatus": pc.componentstatus_cells,
    "ControllerRevision": pc.controllerrevision_cells,
    "PodDisruptionBudget": pc.pdb_cells,
    "HorizontalPodAutoscaler": pc.hpa_cells,
    "RoleBinding": pc.rolebinding_cells,
    "ClusterRoleBinding": pc.rolebinding_cells,
    "Lease": pc.lease_cells,
    "PriorityClass": pc.priorityclass_cells,
    "PodTemplate": pc.podtemplate_cells,
    "RuntimeClass": pc.runtimeclass_cells,
    "CSINode": pc.csinode_cells,
    "CSIDriver": pc.csidriver_cells,
    "CSIStorageCapacity": pc.csistoragecapacity_cells,
    "VolumeAttachment": pc.volumeattachment_cells,
    "VolumeAttributesClass": pc.volumeattributesclass_cells,
    "ResourceClaim": pc.resourceclaim_cells,
    "ResourceClaimTemplate": pc.name_age_cells,
    "DeviceClass": pc.name_age_cells,
    "ResourceSlice": pc.resourceslice_cells,
    "ServiceCIDR": pc.servicecidr_cells,
    "IPAddress": pc.ipaddress_cells,
    "FlowSchema": pc.flowschema_cells,
    "PriorityLevelConfiguration": pc.prioritylevel_cells,
    "MutatingWebhookConfiguration": pc.webhookconfiguration_cells,
    "ValidatingWebhookConfiguration": pc.webhookconfiguration_cells,
    "ValidatingAdmissionPolicy": pc.admission_policy_cells,
    "ValidatingAdmissionPolicyBinding": pc.admission_policy_binding_cells,
    "APIService": pc.apiservice_cells,
    "CertificateSigningRequest": pc.csr_cells,
    "Scale": pc.scale_cells,
}

assert set(_CELLS) == set(COLUMNS)


def has_printer(kind: str) -> bool:
    """False for kinds printed by the default NAME + Created At convertor."""
    return kind in COLUMNS


def columns(kind: str, printer_columns: Sequence[PrinterColumn] = ()) -> list[ColumnDef]:
    """The apiserver's column definitions for ``kind`` (priority-1 columns are ``-o wide``);
    ``printer_columns``: a custom resource's (its CRD's additionalPrinterColumns)."""
    if printer_columns:
        return [NAME, *(ColumnDef(*c) for c in printers_crd.column_defs(printer_columns))]
    return list(COLUMNS.get(kind, DEFAULT_COLUMNS))


def column_names(kind: str, *, wide: bool = False, printer_columns: Sequence[PrinterColumn] = ()) -> list[str]:
    """Headers as kubectl prints them (``NAME``, ``READY``…), wide columns only when asked."""
    return [c.name.upper() for c in columns(kind, printer_columns) if wide or c.priority == 0]


def _default_cells(obj: Obj, now: float) -> list[Any]:
    return [dig(obj, "metadata", "name", default=""), rfc3339_utc(dig(obj, "metadata", "creationTimestamp"))]


def cells(obj: Obj, now: float, kind: str | None = None,
          printer_columns: Sequence[PrinterColumn] = ()) -> list[Any]:
    """One row's cells for ``obj`` at virtual time ``now`` (epoch seconds), all columns."""
    if printer_columns:
        return printers_crd.cells(obj, now, printer_columns)
    k = kind or obj.get("kind", "")
    fn = _CELLS.get(k, _default_cells)
    return fn(obj, now)


def partial_object_metadata(obj: Obj) -> Obj:
    """What ``includeObject=Metadata`` (the default) puts in ``rows[].object``."""
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata") or {}}


def row(obj: Obj, now: float, *, kind: str | None = None, include_object: str | None = None,
        printer_columns: Sequence[PrinterColumn] = ()) -> Obj:
    """One ``TableRow``: ``{cells, object}`` (+ ``conditions`` for finished pods)."""
    k = kind or obj.get("kind", "")
    mode = include_object or "Metadata"
    if mode == "Object":
        embedded: Obj | None = obj
    elif mode == "None":
        embedded = None
    else:
        embedded = partial_object_metadata(obj)
    r: Obj = {"cells": cells(obj, now, k, printer_columns), "object": embedded}
    if k == "Pod":
        conds = pod_row_conditions(obj)
        if conds:
            r["conditions"] = conds
    return r


def table(kind: str, objs: list[Obj], now: float, *, include_object: str | None = None,
          resource_version: str | None = None, continue_token: str | None = None,
          remaining_item_count: int | None = None, no_headers: bool = False,
          printer_columns: Sequence[PrinterColumn] = ()) -> Obj:
    """A full ``meta.k8s.io/v1`` Table for a list (or a single object) of ``kind``
    (``printer_columns``: a custom resource's, see ``columns``).

    ``include_object`` takes the ``includeObject`` query values: ``Metadata`` (default, a
    PartialObjectMetadata per row), ``Object`` (the full object) or ``None`` (null).
    """
    metadata: Obj = {}
    if resource_version:
        metadata["resourceVersion"] = resource_version
    if continue_token:
        metadata["continue"] = continue_token
    if remaining_item_count is not None:
        metadata["remainingItemCount"] = remaining_item_count
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": [] if no_headers else [c.to_api() for c in columns(kind, printer_columns)],
        "rows": [row(o, now, kind=kind, include_object=include_object, printer_columns=printer_columns)
                 for o in (_flow_schema_order(objs) if kind == "FlowSchema" else objs)],
    }


def _flow_schema_order(objs: list[Obj]) -> list[Obj]:
    """printFlowSchemaList sorts a page by matching precedence, then name (the order the
    apiserver matches them in)."""
    def key(o: Obj) -> tuple[int, str]:
        p = (o.get("spec") or {}).get("matchingPrecedence")
        return (p if isinstance(p, int) and not isinstance(p, bool) else 0, str((o.get("metadata") or {}).get("name", "")))
    return sorted(objs, key=key)
