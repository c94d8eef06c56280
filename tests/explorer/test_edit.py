"""`e` without a UI: kubectl edit's buffer, error blocks, line numbers, refusals, and the patch
computed from original → edited and sent against the latest object (k9py.explorer.edit)."""

import asyncio
import copy

import pytest

from k9py.backends.base import StatusError
from k9py.backends.sim import SimBackend
from k9py.explorer.edit import HEADER, RENAMED, Done, EditSession, Reopen, Send, strip_header
from k9py.kube import patch as kpatch
from k9py.kube.status import invalid
from tests.sim.helpers import make_cluster

DEPLOY = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "resourceVersion": "7", "uid": "u-1",
                 "labels": {"app": "web"}, "managedFields": [{"manager": "kubectl"}]},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [
                              {"name": "web", "image": "nginx:1.14.2", "env": [{"name": "MODE", "value": "a"}]},
                              {"name": "log", "image": "busybox:1.36"}]}}},
    "status": {"replicas": 2},
}


def line_of(buffer: str, text: str) -> int:
    """1-based line of the first line of ``buffer`` containing ``text``."""
    return next(i for i, line in enumerate(buffer.split("\n"), 1) if text in line)


def named_line(message: str) -> int:
    return int(message.split("yaml: line ", 1)[1].split(":", 1)[0])


# -- the buffer ---------------------------------------------------------------------------------
def test_buffer_is_kubectls_header_then_the_object_without_managed_fields():
    s = EditSession(DEPLOY, view_name="deployments")
    assert s.buffer.startswith("# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
                               "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
                               "# reopened with the relevant failures.\n#\napiVersion: apps/v1\nkind: Deployment\n")
    assert s.buffer == HEADER + s.text
    assert "managedFields" not in s.buffer and 'resourceVersion: "7"' in s.buffer and "status:" in s.buffer
    assert s.resource == "deployments.apps" and s.patch_type == "strategic"


def test_secret_data_is_shown_raw_and_never_decoded():
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "default"},
              "type": "Opaque", "data": {"password": "czNjcjN0"}}
    s = EditSession(secret)
    assert "password: czNjcjN0" in s.buffer and "s3cr3t" not in s.buffer
    # a syntax error on the value's line names the line, not the value
    step = s.saved(s.buffer.replace("password: czNjcjN0", "password: czNjcjN0\n\tother: c2VjcmV0"))
    assert isinstance(step, Reopen) and "czNjcjN0" not in step.message and "c2VjcmV0" not in step.message
    assert "line" in step.message


def test_nothing_to_do():
    s = EditSession(DEPLOY)
    assert s.saved(s.buffer) == Done("Edit cancelled, no changes made.")
    # comments and formatting are not changes
    assert s.saved("# mine\n" + s.text.replace("replicas: 2", "replicas:   2  # two")) == Done("Edit cancelled, no changes made.")
    assert s.saved("# only comments\n\n") == Done("Edit cancelled, saved file was empty.", "warn")
    assert s.saved(None) == Done("Edit cancelled: the editor failed", "warn")


# -- errors re-open the user's text -------------------------------------------------------------
def test_syntax_error_reopens_the_users_text_with_the_error_and_the_right_line():
    s = EditSession(DEPLOY)
    edited = s.buffer.replace("image: nginx:1.14.2", "image: nginx:1.16").replace(
        "  replicas: 2\n", "  replicas: 2\n\tpaused: true\n")
    step = s.saved(edited)
    assert isinstance(step, Reopen)
    assert step.message.startswith("The edited file had a syntax error: yaml: line ")
    assert "found character '\\t' that cannot start any token" in step.message
    # the block: kubectl's header, the reason as a comment, then the user's text as saved
    assert step.buffer == HEADER + f"# {step.message}\n#\n" + strip_header(edited)
    assert "image: nginx:1.16" in step.buffer
    # the line named is the faulty line of the buffer the user gets back
    assert step.buffer.split("\n")[named_line(step.message) - 1] == "\tpaused: true"
    # saved again unchanged: kubectl gives up
    assert s.saved(step.buffer) == Done("Edit cancelled, no valid changes were saved.", "warn")
    # fixed: the change goes out, and only the change
    fixed = s.saved(step.buffer.replace("\tpaused: true\n", "  paused: true\n"))
    assert isinstance(fixed, Send)
    containers = fixed.patch["spec"]["template"]["spec"]["containers"]
    assert fixed.patch["spec"]["paused"] is True and containers == [{"name": "web", "image": "nginx:1.16"}]


def test_a_number_json_has_no_place_for_reopens_the_users_text():
    """`replicas: .inf` saved: it was sent and stored, and no list of the kind encoded after."""
    s = EditSession(DEPLOY)
    step = s.saved(s.buffer.replace("replicas: 2", "replicas: .inf"))
    assert isinstance(step, Reopen)
    assert step.message == "The edited file had a syntax error: error converting YAML to JSON: json: unsupported value: +Inf"


def test_the_line_is_right_on_a_second_error_too():
    s = EditSession(DEPLOY)
    first = s.saved(s.buffer.replace("  replicas: 2\n", "  replicas: 2\n\tpaused: true\n"))
    assert isinstance(first, Reopen)
    # the user fixes that, but leaves a quote open further down
    second = s.saved(first.buffer.replace("\tpaused: true\n", "  paused: true\n").replace(
        "image: busybox:1.36", 'image: "busybox:1.36'))
    assert isinstance(second, Reopen)
    assert "\tpaused" not in second.buffer and second.buffer.count("syntax error") == 1
    assert second.buffer.split("\n")[named_line(second.message) - 1] == '      - image: "busybox:1.36'


@pytest.mark.parametrize(("before", "after", "bad"), [
    ("  replicas: 2\n", "  replicas 2\n  paused: true\n", None),  # a key without its ':'
    ("  replicas: 2\n", "  replicas: 2\n    paused: true\n", "    paused: true"),  # a line indented too far
    ("matchLabels:\n      app: web\n", "matchLabels:\n      app: web\n      app: api\n", "      app: api"),  # repeated key
])
def test_yaml_error_lines_count_the_header(before, after, bad):
    s = EditSession(DEPLOY)
    edited = s.buffer.replace(before, after, 1)
    step = s.saved(edited)
    assert isinstance(step, Reopen)
    shown = step.buffer.split("\n")
    n = named_line(step.message)
    if bad is None:  # the key missing its ':' is where the scanner started the token
        assert shown[n - 1] == "  replicas 2"
    else:
        assert shown[n - 1] == bad
    if "already defined" in step.message:
        first = int(step.message.rsplit("at line ", 1)[1])
        assert shown[first - 1] == "      app: web"


def test_block_scalars_keep_their_hash_lines():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s", "namespace": "default"},
          "data": {"run.sh": "#!/bin/sh\n# say hi\necho hi\n"}}
    s = EditSession(cm)
    step = s.saved(s.buffer.replace("echo hi", "echo hello"))
    assert step == Send({"data": {"run.sh": "#!/bin/sh\n# say hi\necho hello\n"}}, "strategic")


@pytest.mark.parametrize(("change", "message"), [
    (("name: web\n  namespace", "name: api\n  namespace"), RENAMED),
    (("kind: Deployment", "kind: StatefulSet"), RENAMED),
    (("apiVersion: apps/v1", "apiVersion: apps/v1beta1"), RENAMED),
    (("kind: Deployment\n", ""), RENAMED),
    (("namespace: default", "namespace: prod"),
     'the namespace from the provided object "prod" does not match the namespace "default"'),
])
def test_identity_changes_are_refused_and_reopened(change, message):
    s = EditSession(DEPLOY)
    edited = s.buffer.replace(*change, 1).replace("replicas: 2", "replicas: 3")
    step = s.saved(edited)
    assert isinstance(step, Reopen) and step.message == message
    assert step.buffer == HEADER + f"# {message}\n#\n" + strip_header(edited)


def test_server_refusals():
    s = EditSession(DEPLOY)
    sent = s.saved(s.buffer.replace("replicas: 2", "replicas: -1"))
    assert isinstance(sent, Send)
    err = invalid("Deployment", "web", [("spec.replicas", "Invalid value: -1: must be greater than or equal to 0")])
    step = s.rejected(StatusError(422, "Invalid", err.message, err.to_status()))
    assert isinstance(step, Reopen) and step.message == err.message
    assert step.buffer.startswith(HEADER + '# deployments.apps "web" was not valid:\n'
                                           "# * spec.replicas: Invalid value: -1: must be greater than or equal to 0\n#\n")
    assert "replicas: -1" in step.buffer  # the user's text, not the original
    gone = s.rejected(StatusError(404, "NotFound", 'deployments.apps "web" not found'))
    assert gone == Done('error: deployments.apps "web" could not be found on the server', "error")
    other = s.rejected(StatusError(500, "InternalError", "etcd timeout"))
    assert isinstance(other, Reopen)
    assert '# deployments.apps "web" could not be patched: etcd timeout\n' in other.buffer


# -- the patch ----------------------------------------------------------------------------------
def test_patch_leaves_out_the_resource_version_and_goes_to_the_latest_object():
    cluster = make_cluster(nodes=1)
    manifest = copy.deepcopy(DEPLOY)
    for k in ("resourceVersion", "uid", "managedFields"):
        del manifest["metadata"][k]
    del manifest["status"]
    cluster.create(manifest)
    backend = SimBackend(cluster)

    async def main():
        opened = await backend.get("Deployment", "default", "web")
        s = EditSession(opened)
        # meanwhile, another client scales, labels and sets an env var on the other container
        await backend.scale("Deployment", "default", "web", 5)
        await backend.patch("Deployment", "default", "web", {"metadata": {"labels": {"team": "a"}}, "spec": {
            "template": {"spec": {"containers": [{"name": "log", "env": [{"name": "LEVEL", "value": "debug"}]}]}}}},
            patch_type="strategic")
        # the user, on the object as opened, changes web's image and drops its env var
        assert "      - env:\n        - name: MODE\n          value: a\n        image: nginx:1.14.2\n" in s.buffer
        step = s.saved(s.buffer.replace("      - env:\n        - name: MODE\n          value: a\n        image: nginx:1.14.2\n",
                                        "      - image: nginx:1.16\n"))
        assert isinstance(step, Send)
        assert "resourceVersion" not in str(step.patch) and "replicas" not in str(step.patch["spec"])
        await backend.patch(s.kind, s.namespace, s.name, step.patch, patch_type=step.patch_type)
        return await backend.get("Deployment", "default", "web")

    latest = asyncio.run(main())
    web, log = latest["spec"]["template"]["spec"]["containers"]
    assert web["image"] == "nginx:1.16" and "env" not in web  # the user's change
    assert latest["spec"]["replicas"] == 5 and latest["metadata"]["labels"]["team"] == "a"  # theirs, kept
    assert log["env"] == [{"name": "LEVEL", "value": "debug"}]


def test_custom_resources_get_a_merge_patch():
    cr = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "default"},
          "spec": {"size": 1, "parts": [{"name": "a"}, {"name": "b"}], "color": "red"}}
    s = EditSession(cr, view_name="widgets")
    assert s.resource == "widgets.example.com" and s.patch_type == "merge"
    step = s.saved(s.buffer.replace("  color: red\n", "").replace("  - name: b\n", ""))
    assert step == Send({"spec": {"color": None, "parts": [{"name": "a"}]}}, "merge")


ORIGINAL = DEPLOY["spec"]["template"]["spec"] | {"finalizers": ["a", "b"], "tolerations": [{"key": "x"}]}


def modified(fn):
    out = copy.deepcopy(ORIGINAL)
    fn(out)
    return out


@pytest.mark.parametrize("after", [
    modified(lambda o: o["containers"][0].update(image="nginx:2")),
    modified(lambda o: o["containers"].pop(0)),
    modified(lambda o: o["containers"].append({"name": "new", "image": "x"})),
    modified(lambda o: o["containers"][0]["env"].append({"name": "B", "value": "2"})),
    modified(lambda o: o["containers"][0].pop("env")),
    modified(lambda o: o.update(finalizers=["b", "c"])),
    modified(lambda o: o.update(tolerations=[{"key": "y"}])),
    modified(lambda o: o.pop("tolerations")),
    modified(lambda o: o["containers"].append({"name": "web", "image": "twice"})),  # keys repeated: replaced whole
])
def test_computed_patches_turn_the_original_into_the_edited(after):
    strategic = kpatch.create_strategic_merge_patch(ORIGINAL, after)
    assert kpatch.strategic_merge_patch(ORIGINAL, strategic) == after
    assert kpatch.merge_patch(ORIGINAL, kpatch.create_merge_patch(ORIGINAL, after)) == after


def test_same_is_json_equality():
    assert kpatch.same({"a": [1, {"b": True}]}, {"a": [1, {"b": True}]})
    assert not kpatch.same(True, 1) and not kpatch.same(1, 1.0) and not kpatch.same([1], [1, 2])
    assert kpatch.create_merge_patch({"a": 1}, {"a": True}) == {"a": True}
