"""A failed precondition's 409 is etcd3's StorageError as the apiserver words it, with the
object's storage key (services live under services/specs, nodes under minions, custom resources
under their group)."""

from k9py.kube.resources import BY_KIND, ApiResource
from k9py.kube.status import precondition_failed


def test_the_message_names_the_objects_etcd_key():
    err = precondition_failed(BY_KIND["Service"], "default", "web", "UID", "a", "b")
    assert (err.code, err.reason) == (409, "Conflict")
    assert err.message == ('Operation cannot be fulfilled on services "web": StorageError: invalid object, Code: 4, '
                           "Key: /registry/services/specs/default/web, ResourceVersion: 0, AdditionalErrorMsg: "
                           "Precondition failed: UID in precondition: a, UID in object meta: b")
    assert "Key: /registry/minions/n1," in precondition_failed(BY_KIND["Node"], None, "n1", "UID", "a", "b").message
    assert "Key: /registry/deployments/ns/d," in precondition_failed(BY_KIND["Deployment"], "ns", "d", "UID", "a", "b").message
    crontab = ApiResource("CronTab", "crontabs", "stable.example.com", "v1", True, crd="crontabs.stable.example.com")
    err = precondition_failed(crontab, "default", "nightly", "ResourceVersion", "5", "7")
    assert err.message.startswith('Operation cannot be fulfilled on crontabs.stable.example.com "nightly": StorageError: '
                                  "invalid object, Code: 4, Key: /registry/stable.example.com/crontabs/default/nightly,")
