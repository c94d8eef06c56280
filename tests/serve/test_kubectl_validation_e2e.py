"""End to end with the real kubectl: what the apiserver refuses, and how kubectl words it.

Field validation (kubectl sends ``fieldValidation=Strict`` for create/apply/replace by default,
``Warn`` with ``--validate=warn``, ``Ignore`` with ``--validate=false``), the common 422s, and the
size limits. One server for the module; no sleeps.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.serve.test_kubectl_e2e import Server

pytestmark = pytest.mark.e2e

TYPO_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  restartpolicy: Never
  containers:
  - name: c
    image: busybox
    imagepullpolicy: Always
"""


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("validation"))
    yield s
    assert s.stop() == 0


def _file(tmp_path: Path, name: str, text: str) -> str:
    f = tmp_path / name
    f.write_text(text)
    return str(f)


def test_unknown_fields_strict_by_default(srv: Server, tmp_path: Path) -> None:
    f = _file(tmp_path, "typo.yaml", TYPO_POD.format(name="typo-strict"))
    for verb in ("apply", "create"):
        p = srv.kubectl(verb, "-f", f, check=False)
        assert p.returncode == 1
        assert p.stderr == (
            f'Error from server (BadRequest): error when creating "{f}": Pod in version "v1" cannot be handled as a '
            'Pod: strict decoding error: unknown field "spec.containers[0].imagepullpolicy", unknown field '
            '"spec.restartpolicy"\n')
    assert srv.kubectl("get", "pod", "typo-strict", check=False).returncode == 1


def test_unknown_fields_warned_and_dropped(srv: Server, tmp_path: Path) -> None:
    f = _file(tmp_path, "typo.yaml", TYPO_POD.format(name="typo-warn"))
    p = srv.kubectl("create", "-f", f, "--validate=warn")
    assert p.stderr == ('Warning: unknown field "spec.containers[0].imagepullpolicy"\n'
                        'Warning: unknown field "spec.restartpolicy"\n')
    assert p.stdout == "pod/typo-warn created\n"
    pod = srv.json("get", "pod", "typo-warn")
    assert "restartpolicy" not in pod["spec"] and pod["spec"]["restartPolicy"] == "Always"
    assert "imagepullpolicy" not in pod["spec"]["containers"][0]


def test_unknown_fields_ignored(srv: Server, tmp_path: Path) -> None:
    f = _file(tmp_path, "typo.yaml", TYPO_POD.format(name="typo-ignore"))
    p = srv.kubectl("create", "-f", f, "--validate=false")
    assert (p.stdout, p.stderr) == ("pod/typo-ignore created\n", "")
    assert "restartpolicy" not in srv.json("get", "pod", "typo-ignore")["spec"]


def test_unknown_field_in_a_patch_of_an_existing_object(srv: Server, tmp_path: Path) -> None:
    srv.kubectl("create", "configmap", "patched", "--from-literal=a=b")
    p = srv.kubectl("patch", "configmap", "patched", "--type=merge", "-p", '{"datas": {"x": "y"}}', check=False)
    # kubectl patch sends no fieldValidation: the server's default is Warn
    assert p.returncode == 0 and p.stderr == 'Warning: unknown field "datas"\n'
    f = _file(tmp_path, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: patched\ndata:\n  a: b\n"
                                    "immutible: true\n")
    p = srv.kubectl("apply", "-f", f, check=False)
    assert p.returncode == 1
    # apply's patch of an existing object: the patch's 422, naming the patch map as Go prints it
    assert p.stderr.splitlines()[-1] == (
        'The request is invalid: patch: Invalid value: "map[immutible:true metadata:map[annotations:map['
        'kubectl.kubernetes.io/last-applied-configuration:{\\"apiVersion\\":\\"v1\\",\\"data\\":{\\"a\\":\\"b\\"},'
        '\\"immutible\\":true,\\"kind\\":\\"ConfigMap\\",\\"metadata\\":{\\"annotations\\":{},\\"name\\":'
        '\\"patched\\",\\"namespace\\":\\"default\\"}}\\n]]]": strict decoding error: unknown field "immutible"'), p.stderr


def test_a_patch_of_the_wrong_type_is_the_patchs_422(srv: Server) -> None:
    """A learner's quoted count in `kubectl patch` (a strategic merge patch): the apiserver's
    converter refuses it and kubectl says so with the patch map; nothing changes."""
    srv.kubectl("create", "deployment", "quoted", "--image=nginx:1.27")
    before = srv.json("get", "deployment", "quoted")["spec"]  # (its status moves: the server's clock runs)
    for patch, said in (('{"spec":{"replicas":"3"}}', '"map[spec:map[replicas:3]]": unrecognized type: int32'),
                        ('{"spec":{"replicas":2.5}}', '"map[spec:map[replicas:2.5]]": cannot convert float64 to int32'),
                        ('{"spec":{"paused":"yes"}}', '"map[spec:map[paused:yes]]": unrecognized type: bool')):
        p = srv.kubectl("patch", "deployment", "quoted", "-p", patch, check=False)
        assert (p.returncode, p.stdout, p.stderr) == (1, "", f"The request is invalid: patch: Invalid value: {said}\n")
    p = srv.kubectl("patch", "deployment", "quoted", "--type=merge", "-p", '{"spec":{"replicas":"3"}}', check=False)
    assert p.returncode == 1 and p.stderr.startswith('The request is invalid: patch: Invalid value: "{\\"apiVersion')
    assert p.stderr.endswith(": json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas "
                             "of type int32\n")
    assert srv.json("get", "deployment", "quoted")["spec"] == before


def test_requests_above_limits(srv: Server, tmp_path: Path) -> None:
    f = _file(tmp_path, "greedy.yaml", """\
apiVersion: v1
kind: Pod
metadata: {name: greedy}
spec:
  containers:
  - name: c
    image: nginx
    resources:
      requests: {cpu: "2", memory: 64Mi}
      limits: {cpu: "1", memory: 128Mi}
""")
    p = srv.kubectl("apply", "-f", f, check=False)
    assert p.returncode == 1
    assert p.stderr == ('The Pod "greedy" is invalid: spec.containers[0].resources.requests: Invalid value: "2": '
                        "must be less than or equal to cpu limit of 1\n")


def test_mount_of_an_undefined_volume_in_a_deployment(srv: Server, tmp_path: Path) -> None:
    f = _file(tmp_path, "mount.yaml", """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: mounts}
spec:
  selector: {matchLabels: {app: mounts}}
  template:
    metadata: {labels: {app: mounts}}
    spec:
      containers:
      - name: web
        image: nginx
        volumeMounts:
        - {name: data, mountPath: /data}
""")
    p = srv.kubectl("create", "-f", f, check=False)
    assert p.returncode == 1
    assert p.stderr == ('The Deployment "mounts" is invalid: spec.template.spec.containers[0].volumeMounts[0].name: '
                        'Not found: "data"\n')


def test_duplicate_containers_and_bad_names(srv: Server, tmp_path: Path) -> None:
    f = _file(tmp_path, "dup.yaml", """\
apiVersion: v1
kind: Pod
metadata: {name: dup}
spec:
  containers:
  - {name: web, image: nginx, ports: [{name: Http_Port, containerPort: 80}]}
  - {name: web, image: nginx}
""")
    p = srv.kubectl("create", "-f", f, check=False)
    assert p.returncode == 1
    assert p.stderr == (
        'The Pod "dup" is invalid: \n'
        '* spec.containers[0].ports[0].name: Invalid value: "Http_Port": must contain only alpha-numeric '
        "characters (a-z, 0-9), and hyphens (-)\n"
        '* spec.containers[1].name: Duplicate value: "web"\n')
    p = srv.kubectl("create", "service", "clusterip", "9lives", "--tcp=80:80", check=False)
    assert p.returncode == 1
    # kubectl's typed create words it itself: "failed to create ClusterIP service: <the Status>"
    assert p.stderr == ('error: failed to create ClusterIP service: Service "9lives" is invalid: metadata.name: Invalid value: "9lives": a DNS-1035 label '
                        "must consist of lower case alphanumeric characters or '-', start with an alphabetic "
                        "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex "
                        "used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')\n")


def test_size_limits(srv: Server, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("x" * (1024 * 1024 + 1))
    p = srv.kubectl("create", "configmap", "big", f"--from-file={big}", check=False)
    assert p.returncode == 1
    assert p.stderr == ('error: failed to create configmap: ConfigMap "big" is invalid: []: Too long: may not be more '
                        "than 1048576 bytes\n")
    huge = _file(tmp_path, "huge.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n"
                                        f"  a: {'y' * (3 * 1024 * 1024)}\n")
    p = srv.kubectl("create", "-f", huge, check=False)
    assert p.returncode == 1
    assert p.stderr == (f'Error from server (RequestEntityTooLarge): error when creating "{huge}": '
                        "Request entity too large: limit is 3145728\n")


def test_large_apply_meets_the_annotation_limit_and_etcd_the_object_limit(srv: Server, tmp_path: Path) -> None:
    f = _file(tmp_path, "cm300k.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm300k\ndata:\n"
                                       f"  a: {'z' * (300 * 1024)}\n")
    p = srv.kubectl("apply", "-f", f, check=False)  # its last-applied-configuration annotation is too long
    assert p.returncode == 1
    assert p.stderr == ('The ConfigMap "cm300k" is invalid: metadata.annotations: Too long: may not be more than '
                        "262144 bytes\n")
    assert srv.kubectl("create", "-f", f).stdout == "configmap/cm300k created\n"  # create stores no annotation
    pod = _file(tmp_path, "fat.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: fat\nspec:\n  containers:\n"
                                      "  - name: c\n    image: nginx\n    env:\n    - name: BLOB\n"
                                      f"      value: {'b' * (2 * 1024 * 1024)}\n")
    p = srv.kubectl("create", "-f", pod, check=False)
    assert p.returncode == 1
    assert p.stderr == f'Error from server: error when creating "{pod}": etcdserver: request is too large\n'


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""


def test_custom_resources_follow_their_crds_structural_schema(srv: Server, tmp_path: Path) -> None:
    srv.kubectl("apply", "-f", _file(tmp_path, "crd.yaml", CRD))
    srv.kubectl("wait", "--for", "condition=established", "crd/widgets.example.com")
    w = _file(tmp_path, "w.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n"
                                  "  sise: 4\n  extra: {anything: 1}\nfoo: bar\n")
    p = srv.kubectl("apply", "-f", w, check=False)
    assert p.returncode == 1
    assert p.stderr == (f'Error from server (BadRequest): error when creating "{w}": Widget in version "v1" cannot be '
                        'handled as a Widget: strict decoding error: unknown field "foo", unknown field "spec.sise"\n')
    p = srv.kubectl("create", "-f", w, "--validate=warn")
    assert p.stderr == 'Warning: unknown field "foo"\nWarning: unknown field "spec.sise"\n'
    assert srv.json("get", "widget", "w1")["spec"] == {"extra": {"anything": 1}, "size": 3}  # pruned
    # server-side apply: structured-merge-diff refuses the undeclared field itself (a 500 upstream)
    p = srv.kubectl("apply", "--server-side", "-f", w, check=False)
    assert p.returncode == 1
    assert p.stderr == ("Error from server: failed to create typed patch object (default/w1; example.com/v1, "
                        "Kind=Widget): errors:\n  .foo: field not declared in schema\n"
                        "  .spec.sise: field not declared in schema\n")


def test_server_side_apply_of_a_new_object_with_a_typo(srv: Server, tmp_path: Path) -> None:
    f = _file(tmp_path, "typo.yaml", TYPO_POD.format(name="typo-ssa"))
    p = srv.kubectl("apply", "--server-side", "-f", f, check=False)
    assert p.returncode == 1
    assert p.stderr == ("Error from server: failed to create typed patch object (default/typo-ssa; /v1, Kind=Pod): "
                        "errors:\n"
                        '  .spec.containers[name="c"].imagepullpolicy: field not declared in schema\n'
                        "  .spec.restartpolicy: field not declared in schema\n")


LABEL_KEY_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
                 "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
                 "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
KUBE_FINALIZER_MSG = "name is neither a standard finalizer name nor is it fully qualified"


def test_bad_labels_and_annotation_keys_are_refused_by_label_annotate_patch_and_apply(srv: Server, tmp_path: Path) -> None:
    srv.kubectl("create", "configmap", "labelled")
    for args, field in ((("label", "cm", "labelled", "bad key!=x"), "labels"),
                        (("annotate", "cm", "labelled", "bad key!=x"), "annotations"),
                        (("patch", "cm", "labelled", "-p", '{"metadata":{"labels":{"bad key!":"x"}}}'), "labels")):
        p = srv.kubectl(*args, check=False)
        assert (p.returncode, p.stderr) == (1, f'The ConfigMap "labelled" is invalid: metadata.{field}: '
                                               f'Invalid value: "bad key!": {LABEL_KEY_MSG}\n')
    p = srv.kubectl("patch", "cm", "labelled", "-p", '{"metadata":{"labels":{"s":"a b"}}}', check=False)
    assert p.stderr.startswith('The ConfigMap "labelled" is invalid: metadata.labels: Invalid value: "a b": '
                               "a valid label must be an empty string or consist of alphanumeric characters")
    f = _file(tmp_path, "bad-labels.yaml", 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n'
                                           '  labels: {"bad key!": x}\n')
    p = srv.kubectl("apply", "-f", f, check=False)
    assert p.stderr == (f'The ConfigMap "applied" is invalid: metadata.labels: Invalid value: "bad key!": {LABEL_KEY_MSG}\n')
    assert srv.kubectl("get", "cm", "labelled", "-o", "jsonpath={.metadata.labels}").stdout == ""
    assert srv.kubectl("get", "cm", "applied", check=False).returncode == 1


def test_pod_spec_enums_are_refused_as_the_apiserver_words_them(srv: Server) -> None:
    overrides = '{"spec":{"containers":[{"name":"sometimes","image":"nginx","imagePullPolicy":"Sometimes"}]}}'
    p = srv.kubectl("run", "sometimes", "--image=nginx", "--overrides", overrides, check=False)
    assert p.stderr == ('The Pod "sometimes" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: '
                        '"Sometimes": supported values: "Always", "IfNotPresent", "Never"\n')
    p = srv.kubectl("run", "dns", "--image=nginx", "--overrides", '{"spec":{"dnsPolicy":"Foo"}}', check=False)
    assert p.stderr == ('The Pod "dns" is invalid: spec.dnsPolicy: Unsupported value: "Foo": supported values: '
                        '"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"\n')
    dep = ('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"never"},"spec":{"selector":{"matchLabels":'
           '{"app":"never"}},"template":{"metadata":{"labels":{"app":"never"}},"spec":{"restartPolicy":"Never",'
           '"containers":[{"name":"c","image":"nginx"}]}}}}')
    p = srv.kubectl("apply", "-f", "-", stdin=dep, check=False)
    assert p.stderr == ('The Deployment "never" is invalid: spec.template.spec.restartPolicy: Unsupported value: '
                        '"Never": supported values: "Always"\n')


LIMITS_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: sized
spec:
  containers:
  - name: c
    image: busybox
    resources:
      limits:
        memory: {memory}
        cpu: {cpu}
"""


def test_a_malformed_quantity_is_the_quantity_decoders_error_without_a_field(srv: Server, tmp_path: Path) -> None:
    # a learner's 128MB / 0.5cores / 192i: Quantity's UnmarshalJSON says it, and the apiserver
    # passes its words on with no field (the message every search for them finds)
    fmt = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    for memory, cpu, words in (("128MB", "500m", fmt), ("128Mi", "0.5cores", fmt), ("512 Mi", "1", fmt),
                               ("192i", "1", "unable to parse quantity's suffix")):
        f = _file(tmp_path, "sized.yaml", LIMITS_POD.format(memory=memory, cpu=cpu))
        p = srv.kubectl("apply", "-f", f, check=False)
        assert (p.returncode, p.stderr) == (
            1, f'Error from server (BadRequest): error when creating "{f}": Pod in version "v1" cannot be handled as a Pod: {words}\n')
    f = _file(tmp_path, "sized.yaml", LIMITS_POD.format(memory="128Mi", cpu="0.5"))
    assert srv.kubectl("apply", "-f", f).stdout == "pod/sized created\n"


def test_a_number_in_a_string_map_or_an_env_value_is_gos_error_naming_the_field(srv: Server, tmp_path: Path) -> None:
    # Go names the map's field, not the key: ConfigMap.data, EnvVar...env.value
    # (a key with dots is one key: app.port)
    for key in ("port", "app.port"):
        f = _file(tmp_path, "cm.yaml", f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: nums}}\ndata:\n  a: x\n  {key}: 8080\n")
        p = srv.kubectl("apply", "-f", f, check=False)
        assert (p.returncode, p.stderr) == (1, f'Error from server (BadRequest): error when creating "{f}": ConfigMap in version "v1" '
                                               'cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field '
                                               'ConfigMap.data of type string\n')
    f = _file(tmp_path, "env.yaml", """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: envy}
spec:
  selector: {matchLabels: {app: envy}}
  template:
    metadata: {labels: {app: envy}}
    spec:
      containers:
      - name: c
        image: nginx
        env:
        - {name: PORT, value: 8080}
""")
    p = srv.kubectl("apply", "-f", f, check=False)
    assert (p.returncode, p.stderr) == (1, f'Error from server (BadRequest): error when creating "{f}": Deployment in version "v1" '
                                           'cannot be handled as a Deployment: json: cannot unmarshal number into Go struct field '
                                           'EnvVar.spec.template.spec.containers.env.value of type string\n')


def test_plain_text_under_a_secrets_data_is_gos_base64_error(srv: Server, tmp_path: Path) -> None:
    # the learner's password: admin under data: (not stringData:), as base64.StdEncoding says it
    for key, value, at in (("password", "admin", 4), ("password", "my-password", 2), ("password", "aGk", 0),
                           ("tls.crt", "admin", 4), (".dockerconfigjson", "admin", 4)):
        f = _file(tmp_path, "secret.yaml", f"apiVersion: v1\nkind: Secret\nmetadata: {{name: creds}}\ndata:\n  {key}: {value}\n")
        p = srv.kubectl("apply", "-f", f, check=False)
        assert (p.returncode, p.stderr) == (1, f'Error from server (BadRequest): error when creating "{f}": Secret in version "v1" '
                                               f'cannot be handled as a Secret: illegal base64 data at input byte {at}\n')
    f = _file(tmp_path, "secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\ndata:\n  password: YWRtaW4=\n")
    assert srv.kubectl("apply", "-f", f).stdout == "secret/creds created\n"


def test_reapplying_a_claim_with_another_class_is_forbidden_with_the_apiservers_diff(srv: Server, tmp_path: Path) -> None:
    # the learner's Pending claim, its storageClassName edited and applied again: a cluster refuses
    # it (the claim must be deleted and created again), with the diff of the internal specs
    claim = ("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: data}}\nspec:\n  storageClassName: {cls}\n"
             "  accessModes: [ReadWriteOnce]\n  resources: {{requests: {{storage: 1Gi}}}}\n")
    f = _file(tmp_path, "pvc.yaml", claim.format(cls="manual"))
    srv.kubectl("apply", "-f", f)
    f = _file(tmp_path, "pvc.yaml", claim.format(cls="standard"))
    p = srv.kubectl("apply", "-f", f, check=False)
    assert (p.returncode, p.stderr) == (1, (
        'The PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except '
        "resources.requests and volumeAttributesClassName for bound claims\n"
        "@@ -10,7 +10,7 @@\n   }\n  },\n"
        '  "VolumeName": "",\n- "StorageClassName": "manual",\n+ "StorageClassName": "standard",\n'
        '  "VolumeMode": "Filesystem",\n  "DataSource": null,\n  "DataSourceRef": null,\n\n'))
    assert srv.json("get", "pvc", "data")["spec"]["storageClassName"] == "manual"


def test_write_options_refused_as_the_apiserver_refuses_them(srv: Server, tmp_path: Path) -> None:
    """ValidateCreateOptions/UpdateOptions/DeleteOptions: a 422 before the object is read, on
    every verb (a fieldManager past 128 bytes was taken by create and replace)."""
    long = "m" * 129
    p = srv.kubectl("create", "configmap", "fm-long", "--from-literal=a=b", f"--field-manager={long}", check=False)
    assert p.returncode == 1
    assert p.stderr == ('error: failed to create configmap: CreateOptions.meta.k8s.io "" is invalid: '
                        'fieldManager: Too long: may not be more than 128 bytes\n')
    assert srv.kubectl("get", "configmap", "fm-long", check=False).returncode == 1
    srv.kubectl("create", "configmap", "fm-ok", "--from-literal=a=b")
    f = _file(tmp_path, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fm-ok\ndata:\n  a: c\n")
    p = srv.kubectl("replace", "-f", f, f"--field-manager={long}", check=False)
    assert (p.returncode, p.stderr) == (1, 'The UpdateOptions "" is invalid: fieldManager: Too long: may not be more than 128 bytes\n')
    body = _file(tmp_path, "cm.json", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dry"}}')
    p = srv.kubectl("create", "--raw", "/api/v1/namespaces/default/configmaps?dryRun=Bogus", "-f", body, check=False)
    assert (p.returncode, p.stderr) == (1, 'The CreateOptions "" is invalid: dryRun: Unsupported value: '
                                           '[]string{"Bogus"}: supported values: "All"\n')
    p = srv.kubectl("create", "--raw", "/api/v1/namespaces/default/configmaps?dryRun=All&dryRun=x&fieldValidation=Loud",
                    "-f", body, check=False)
    assert p.stderr == ('The CreateOptions "" is invalid: \n'
                        '* dryRun: Unsupported value: []string{"All", "x"}: supported values: "All"\n'
                        '* fieldValidation: Unsupported value: "Loud": supported values: "", "Ignore", "Strict", "Warn"\n')
    p = srv.kubectl("delete", "--raw", "/api/v1/namespaces/default/configmaps/fm-ok?dryRun=Bogus", check=False)
    assert (p.returncode, p.stderr) == (1, 'The DeleteOptions "" is invalid: dryRun: Unsupported value: '
                                           '[]string{"Bogus"}: supported values: "All"\n')
    assert srv.json("get", "configmap", "fm-ok")["data"] == {"a": "b"}
    # a subresource's options are checked first too: before the Scale's own 422 and before a body that is no JSON
    scale = _file(tmp_path, "scale.json", '{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"nosuch"},'
                                          '"spec":{"replicas":-1}}')
    bad = _file(tmp_path, "bad.json", "{")
    for sub, sent in (("scale", scale), ("status", bad)):
        p = srv.kubectl("replace", "--raw", f"/apis/apps/v1/namespaces/default/deployments/nosuch/{sub}?dryRun=Bogus",
                        "-f", sent, check=False)
        assert (p.returncode, p.stderr) == (1, 'The UpdateOptions "" is invalid: dryRun: Unsupported value: '
                                               '[]string{"Bogus"}: supported values: "All"\n')


def test_finalizer_names_are_checked_as_the_apiserver_checks_them(srv: Server, tmp_path: Path) -> None:
    """ValidateFinalizers (every kind, every write), core validation's validateKubeFinalizerName
    (built-in kinds but a few), ValidateNoNewFinalizers (an object being deleted, among the other
    metadata causes), and the custom resource strategy's warning for a finalizer without a domain."""
    f = _file(tmp_path, "fin.yaml", 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fin\n'
                                    '  finalizers: ["a b", orphan, foregroundDeletion]\n')
    p = srv.kubectl("create", "-f", f, check=False)
    assert (p.returncode, p.stderr) == (1, 'The ConfigMap "fin" is invalid: \n'
                                           f'* metadata.finalizers: Invalid value: "a b": {LABEL_KEY_MSG}\n'
                                           '* metadata.finalizers: Invalid value: []string{"a b", "orphan", "foregroundDeletion"}: '
                                           'finalizer orphan and foregroundDeletion cannot be both set\n'
                                           f'* metadata.finalizers[0]: Invalid value: "a b": {KUBE_FINALIZER_MSG}\n')
    for name in ("foo", "example.com"):
        f = _file(tmp_path, "fin.yaml", f'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fin\n  finalizers: ["{name}"]\n')
        p = srv.kubectl("create", "-f", f, check=False)
        assert (p.returncode, p.stderr) == (1, f'The ConfigMap "fin" is invalid: metadata.finalizers[0]: Invalid value: '
                                               f'"{name}": {KUBE_FINALIZER_MSG}\n')
    f = _file(tmp_path, "lease.yaml", 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: fin\n'
                                      '  finalizers: ["foo"]\n')
    assert srv.kubectl("create", "-f", f).stdout == "lease.coordination.k8s.io/fin created\n"  # apimachinery's ObjectMeta
    srv.kubectl("create", "configmap", "held")
    p = srv.kubectl("patch", "cm", "held", "-p", '{"metadata":{"finalizers":["x y"]}}', check=False)
    assert p.stderr == ('The ConfigMap "held" is invalid: \n'
                        f'* metadata.finalizers: Invalid value: "x y": {LABEL_KEY_MSG}\n'
                        f'* metadata.finalizers[0]: Invalid value: "x y": {KUBE_FINALIZER_MSG}\n')
    srv.kubectl("patch", "cm", "held", "-p", '{"metadata":{"finalizers":["example.com/hold", "kubernetes"]}}')
    srv.kubectl("delete", "cm", "held", "--wait=false")
    p = srv.kubectl("patch", "cm", "held", "--type=json", "-p", '[{"op":"add","path":"/metadata/finalizers/-","value":"b/c"}]',
                    check=False)
    assert p.stderr == ('The ConfigMap "held" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added '
                        'if the object is being deleted, found new finalizers []string{"b/c"}\n')
    p = srv.kubectl("patch", "cm", "held", "-p", '{"metadata":{"labels":{"bad key!":"x"},"finalizers":["b"]}}', check=False)
    assert p.stderr == ('The ConfigMap "held" is invalid: \n'
                        f'* metadata.labels: Invalid value: "bad key!": {LABEL_KEY_MSG}\n'
                        '* metadata.finalizers: Forbidden: no new finalizers can be added if the object is being '
                        'deleted, found new finalizers []string{"b"}\n'
                        f'* metadata.finalizers[0]: Invalid value: "b": {KUBE_FINALIZER_MSG}\n')
    srv.kubectl("patch", "cm", "held", "--type=json", "-p", '[{"op":"remove","path":"/metadata/finalizers"}]')
    patch = '{"metadata":{"finalizers":["kubeflow.org/ok","cleanup","notebooks.kubeflow.org","kubernetes"]}}'
    p = srv.kubectl("patch", "notebook", "my-notebook", "-n", "kubeflow", "--type=merge", "-p", patch)
    assert p.stderr == ('Warning: metadata.finalizers: "cleanup": prefer a domain-qualified finalizer name to avoid '
                        'accidental conflicts with other finalizer writers\n'
                        'Warning: metadata.finalizers: "notebooks.kubeflow.org": prefer a domain-qualified finalizer '
                        'name including a path (/) to avoid accidental conflicts with other finalizer writers\n')
    p = srv.kubectl("patch", "notebook", "my-notebook", "-n", "kubeflow", "--type=merge", "-p", patch)
    assert p.stderr == ""  # only the finalizers a write adds
    srv.kubectl("patch", "notebook", "my-notebook", "-n", "kubeflow", "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
