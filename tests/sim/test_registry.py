"""Image references and the registry catalogue (sim/registry.py), and what the kubelet makes of
them: InvalidImageName for a reference that does not parse, ErrImagePull → ImagePullBackOff for
a tag a well-known image does not have or a misspelt well-known image (``ngnix``: pull access
denied), any tag with ``k9py.sim/any-tag`` (not a misspelt image)."""

import pytest

from k9py.sim import registry
from tests.sim.helpers import container_state, events_for, make_cluster, pod, pod_manifest


@pytest.mark.parametrize("image,domain,path,tag", [
    ("nginx", "docker.io", "library/nginx", "latest"),
    ("nginx:1.25.3", "docker.io", "library/nginx", "1.25.3"),
    ("docker.io/library/nginx:1.27.2", "docker.io", "library/nginx", "1.27.2"),
    ("index.docker.io/nginx:1.27", "docker.io", "library/nginx", "1.27"),
    ("bitnami/nginx:1.99", "docker.io", "bitnami/nginx", "1.99"),
    ("registry.k8s.io/etcd:3.5.15-0", "registry.k8s.io", "etcd", "3.5.15-0"),
    ("localhost:5000/app", "localhost:5000", "app", "latest"),
    ("nginx:1.1.", "docker.io", "library/nginx", "1.1."),  # a valid tag ([\w][\w.-]*), not a valid version
])
def test_references_normalise_like_the_kubelet(image, domain, path, tag):
    ref = registry.parse(image)
    assert (ref.domain, ref.path, ref.tag) == (domain, path, tag)
    assert registry.invalid_name_message(image) is None


@pytest.mark.parametrize("image,why", [
    ("nginx:1.1:", "invalid reference format"),
    ("nginx:", "invalid reference format"),
    ("nginx:-1", "invalid reference format"),
    ("nginx@sha256:abc", "invalid reference format"),
    ("ngi nx", "invalid reference format"),
    ("NGINX", "invalid reference format: repository name (library/NGINX) must be lowercase"),
    ("a" * 64, "cannot specify 64-byte hexadecimal strings"),
])
def test_invalid_references_have_the_kubelets_message(image, why):
    msg = registry.invalid_name_message(image)
    assert msg is not None and msg.startswith(f'Failed to apply default image tag "{image}": couldn\'t parse image '
                                              f'reference "{image}": ') and msg.endswith(why)


@pytest.mark.parametrize("image", [
    "nginx", "nginx:latest", "nginx:1.14.2", "nginx:1.16", "nginx:1.25-alpine", "nginx:stable-alpine", "nginx:mainline",
    "busybox:1.28", "busybox:1.36.1", "busybox:1.37-musl", "alpine:3.20", "alpine:3.20.3", "debian:bookworm-slim",
    "debian:12", "ubuntu:22.04", "ubuntu:noble", "redis:7.2", "redis:7-alpine", "postgres:16", "postgres:16.4-alpine",
    "mysql:8.0.29", "mysql:8.4-oracle", "httpd:2.4", "httpd:2.4.62-alpine", "python:3.12-slim", "python:3.11",
    "python:3.12-slim-bookworm", "node:20-alpine", "node:lts", "node:22.11.0", "perl:5.34.0",
    # not in the catalogue: any tag pulls
    "ghcr.io/example/checkout:1.5.0", "bitnami/nginx:9.9", "registry.k8s.io/kube-proxy:v1.37.1",
    "nginx@sha256:" + "a" * 64,
])
def test_real_tags_and_unknown_images_pull(image):
    assert registry.pull_error(image) is None


@pytest.mark.parametrize("image", ["nginx:1.99", "nginx:1.1.", "nginx:2", "busybox:1.99", "alpine:4.0", "redis:99",
                                   "postgres:6.0", "python:3.99-slim", "node:99", "debian:slim", "ubuntu:21.99"])
def test_missing_tags_of_well_known_images_are_manifest_unknown(image):
    assert registry.pull_error(image) == (f"Error response from daemon: manifest for {image} not found: "
                                          "manifest unknown: manifest unknown")
    assert registry.pull_error(image, any_tag=True) is None


def test_invalid_image_name_waits_and_is_retried():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("typo", "nginx:1.1:"))
    c.advance(5)
    p = pod(c, "typo")
    msg = 'Failed to apply default image tag "nginx:1.1:": couldn\'t parse image reference "nginx:1.1:": invalid reference format'
    assert p["status"]["containerStatuses"][0]["state"] == {"waiting": {"reason": "InvalidImageName", "message": msg}}
    assert p["status"]["phase"] == "Pending"
    evs = events_for(c, p)
    assert ("InspectFailed", msg) in evs and ("Failed", "Error: InvalidImageName") in evs
    assert not any(r == "Pulling" for r, _ in evs)
    c.advance(30)
    counts = {(e["reason"], e["message"]): e["count"] for e in c.events.for_object(pod(c, "typo"))}
    assert counts[("Failed", "Error: InvalidImageName")] >= 3  # every pod sync (10 s) tries again
    assert container_state(pod(c, "typo")) == ("waiting", "InvalidImageName")


def test_missing_tag_fails_to_pull_then_backs_off():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("web", "nginx:1.99"))
    seen = []
    for _ in range(40):  # the pull takes a moment after scheduling and the sandbox
        c.advance(0.25)
        seen.append(container_state(pod(c, "web"))[1] if pod(c, "web")["status"].get("containerStatuses") else None)
        if seen[-1] == "ErrImagePull":
            break
    assert seen[-1] == "ErrImagePull"
    assert ("Failed", 'Failed to pull image "nginx:1.99": Error response from daemon: manifest for nginx:1.99 not found: '
                      "manifest unknown: manifest unknown") in events_for(c, pod(c, "web"))
    c.advance(5)
    assert container_state(pod(c, "web")) == ("waiting", "ImagePullBackOff")
    assert ("BackOff", 'Back-off pulling image "nginx:1.99"') in events_for(c, pod(c, "web"))


def test_any_tag_annotation_and_cluster_option_let_any_tag_pull():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("free", "nginx:1.99", annotations={"k9py.sim/any-tag": "true"}))
    c.create(pod_manifest("typo", "nginx:1.1:", annotations={"k9py.sim/any-tag": "true"}))
    c.advance(10)
    assert container_state(pod(c, "free")) == ("running", None)
    assert container_state(pod(c, "typo")) == ("waiting", "InvalidImageName")  # still not a reference
    c.create(pod_manifest("stuck", "redis:99"))
    c.advance(5)
    assert container_state(pod(c, "stuck"))[1] in ("ErrImagePull", "ImagePullBackOff")
    c.state[registry.ANY_TAG_STATE] = True  # k9py serve --any-image-tag
    c.advance(60)
    assert container_state(pod(c, "stuck")) == ("running", None)


def test_any_tag_annotation_is_validated_in_scenarios():
    from k9py.scenario import schema
    obj = pod_manifest("x", annotations={"k9py.sim/any-tag": "maybe"}) | {"apiVersion": "v1", "kind": "Pod"}
    with pytest.raises(schema.FieldError, match='must be "true" or "false"'):
        schema.check_object(obj)


def test_fixing_the_image_recovers_the_pod():
    from k9py.kube.meta import deep_copy
    c = make_cluster(nodes=1)
    c.create(pod_manifest("typo", "nginx:1.1:"))
    c.create(pod_manifest("miss", "nginx:1.99"))
    c.advance(15)
    for name, image in (("typo", "nginx:1.25"), ("miss", "nginx:1.26")):  # kubectl set image
        p = deep_copy(pod(c, name))
        p["spec"]["containers"][0]["image"] = image
        c.replace(p)
    c.advance(30)
    assert container_state(pod(c, "typo")) == ("running", None) and container_state(pod(c, "miss")) == ("running", None)


def _denied(name: str) -> str:
    return (f"Error response from daemon: pull access denied for {name}, repository does not exist or may require "
            "'docker login': denied: requested access to the resource is denied")


@pytest.mark.parametrize("image,name", [
    ("ngnix", "ngnix"), ("nginxx:latest", "nginxx"), ("ngin", "ngin"), ("bussybox", "bussybox"),
    ("busybx:1.36", "busybx"), ("docker.io/ngnix:1.25", "ngnix"), ("docker.io/library/ngnix", "ngnix"),
    ("index.docker.io/library/redix:7", "redix"), ("pyhton:3.12", "pyhton"), ("python3", "python3"),
    ("postgresql:16", "postgresql"), ("debain:12", "debain"), ("hello-wrold", "hello-wrold"),
    ("ngnix@sha256:" + "a" * 64, "ngnix"),
])
def test_misspelt_well_known_images_do_not_exist(image, name):
    assert registry.pull_error(image) == _denied(name)
    assert registry.pull_error(image, any_tag=True) == _denied(name)  # no tag of a missing repository pulls


@pytest.mark.parametrize("image", [
    "nginx", "busybox:1.36", "myorg/ngnix-tools:1", "bitnami/nginx", "bitnami/ngnix", "nginx-ingress",
    "nginxinc/nginx-unprivileged", "ghcr.io/ngnix", "registry.example.com/bussybox:1", "mono", "kong", "ruby",
    "nats", "traefik", "redmine", "node", "no", "ng", "myapp:1",
])
def test_real_images_and_other_names_are_not_typos(image):
    assert registry.pull_error(image) is None


def test_misspelt_image_fails_to_pull_then_backs_off():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("typo", "ngnix"))
    c.create(pod_manifest("free", "ngnix", annotations={"k9py.sim/any-tag": "true"}))
    for name, image in (("web", "nginx"), ("box", "busybox:1.36"), ("own", "myorg/ngnix-tools:1"),
                        ("bit", "bitnami/nginx")):
        c.create(pod_manifest(name, image, command=["sleep", "3600"] if "busybox" in image else None))
    c.advance(5)
    msg = 'Failed to pull image "ngnix": ' + _denied("ngnix")
    for name in ("typo", "free"):
        p = pod(c, name)
        evs = events_for(c, p)
        assert ("Failed", msg) in evs and ("Failed", "Error: ErrImagePull") in evs
        assert not any(r == "Pulled" for r, _ in evs)
        assert container_state(p)[1] in ("ErrImagePull", "ImagePullBackOff")
    c.advance(10)
    p = pod(c, "typo")
    assert container_state(p) == ("waiting", "ImagePullBackOff") and p["status"]["phase"] == "Pending"
    assert ("BackOff", 'Back-off pulling image "ngnix"') in events_for(c, p)
    c.state[registry.ANY_TAG_STATE] = True  # k9py serve --any-image-tag: still no such repository
    c.advance(60)
    assert container_state(pod(c, "typo"))[1] in ("ErrImagePull", "ImagePullBackOff")
    for name in ("web", "box", "own", "bit"):
        assert container_state(pod(c, name)) == ("running", None), name
