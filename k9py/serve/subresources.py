"""Subresources: status, ephemeralcontainers, scale (autoscaling/v1 Scale), eviction (policy/v1), binding
(and the bindings resource), log, exec, attach, portforward and proxy."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from k9py.kube import conversion
from k9py.kube import patch as kpatch
from k9py.kube.meta import deep_copy
from k9py.kube.status import ApiError, bad_request, conflict
from k9py.kube.verbs import scale_of
from k9py.serve import fields, table
from k9py.serve.api import check_preconditions, status_success
from k9py.serve.go_types import string_list_error
from k9py.serve.http import Request, Response, no_route
from k9py.sim.names import go_quote

if TYPE_CHECKING:
    from k9py.serve.api import Api, Route

Obj = dict[str, Any]


# The subresources written through the apiserver's create, update and patch handlers, by method
# (exec, attach, portforward and proxy are connections: no write options).
_WRITTEN = {"status": ("PUT", "PATCH"), "ephemeralcontainers": ("PUT", "PATCH"), "scale": ("PUT", "PATCH"),
            "approval": ("PUT",), "token": ("POST",), "eviction": ("POST",)}


def takes_patch(sub: str) -> bool:
    """Whether a subresource has a PATCH route (whose body go-restful checks the type of)."""
    return "PATCH" in _WRITTEN.get(sub, ())


def subresource(api: Api, req: Request, route: Route) -> Response:
    sub, m = route.sub, req.method
    if m in _WRITTEN.get(sub or "", ()):  # as the apiserver's handlers: a PATCH's type (415), then the
        if m == "PATCH":                    # options' 422 (of CreateOptions, UpdateOptions or PatchOptions),
            api.patch_type(req, route)      # before the body is decoded and the object looked up
        api.dry_run(req)
    if sub == "status" or (sub == "ephemeralcontainers" and route.res.kind == "Pod"):
        # the ephemeralcontainers subresource of a Pod is the Pod, of which only
        # spec.ephemeralContainers may change (kubectl debug PATCHes it)
        if m == "GET":
            return api.get(req, route)
        if m == "PUT":
            obj = api.object_body(req, route)
            obj["metadata"]["name"] = route.name
            dry = api.dry_run(req)
            with api.cluster.lock:
                out = api.cluster.replace(obj, subresource=sub, dry_run=dry, writer=fields.writer(req, route, sub))
            api.notify()
            return api.one(req, route, out)
        if m == "PATCH":
            return _patch_sub(api, req, route, sub)
    elif sub == "scale":
        return _scale(api, req, route)
    elif sub == "token" and route.res.kind == "ServiceAccount":
        from k9py.serve.auth import token_request
        return token_request(api, req, route)
    elif sub == "approval" and route.res.kind == "CertificateSigningRequest":
        return _approval(api, req, route)
    elif sub == "log" and m == "GET":
        from k9py.serve.logs import pod_log
        return pod_log(api, req, route)
    elif sub == "eviction" and m == "POST":
        return _evict(api, req, route)
    elif sub == "binding" and m == "POST" and route.res.kind == "Pod":
        return binding(api, req, route)
    elif sub in ("exec", "attach") and route.res.kind == "Pod":
        from k9py.serve.remotecommand import handle
        return handle(api, req, route)
    elif sub == "portforward" and route.res.kind == "Pod":
        from k9py.serve.portforward import handle as portforward
        return portforward(api, req, route)
    elif sub == "proxy" and route.res.kind in ("Service", "Pod", "Node"):
        from k9py.serve.proxy import handle as proxy
        return proxy(api, req, route)
    elif sub in ("exec", "attach", "portforward", "proxy", "finalize"):
        return api.error_response(405, "MethodNotAllowed", f"the simulator does not support {route.res.plural}/{sub}")
    return no_route()


def _approval(api: Api, req: Request, route: Route) -> Response:
    """``certificatesigningrequests/NAME/approval`` (kubectl certificate approve|deny): GET the CSR;
    PUT one whose status.conditions replace the stored ones (admission keeps Approved and Denied
    apart)."""
    from k9py.sim.certificates import approval

    if req.method == "GET":
        return api.get(req, route)
    if req.method != "PUT":
        return no_route()
    sent = api.object_body(req, route)
    if sent["metadata"].get("name") not in (None, route.name):
        raise bad_request(f"the name of the object ({sent['metadata']['name']}) does not match the name on the URL ({route.name})")
    dry = api.dry_run(req)
    with api.cluster.lock:
        old = api.cluster.must_get(route.res.kind, None, route.name or "")
        new = approval(old, sent)
        rv = sent["metadata"].get("resourceVersion")
        if rv:
            new["metadata"]["resourceVersion"] = rv
        out = api.cluster.replace(new, subresource="status", dry_run=dry)
    api.notify()
    return api.one(req, route, out)


def _patch_sub(api: Api, req: Request, route: Route, sub: str) -> Response:
    ct = req.content_type
    body = api.body(req)
    if body is None:
        raise bad_request("the body of the request was empty")
    dry = api.dry_run(req)
    with api.cluster.lock:
        current = api.in_version(route, api.fetch(route))  # patched in the version of the request
        writer = fields.writer(req, route, sub)
        if ct == kpatch.APPLY_PATCH and isinstance(body, dict):  # server-side apply of the subresource
            patched = fields.apply(api.cluster, req, route, current, body, sub)
            writer = fields.applier(req, route, patched, sub)
        else:
            patched = kpatch.apply_patch(current, ct, body)
        if not isinstance(patched, dict):
            raise ApiError(422, "Invalid", "the patched object is not an object")
        patched["metadata"] = deep_copy(current["metadata"])
        patched["kind"], patched["apiVersion"] = route.res.kind, route.res.api_version
        out = api.cluster.replace(conversion.to_storage(patched), subresource=sub, dry_run=dry, writer=writer)
    api.notify()
    return api.one(req, route, out)


def _scale(api: Api, req: Request, route: Route) -> Response:
    m = req.method
    with api.cluster.lock:
        obj = api.fetch(route)
        if m == "GET":
            return _scale_response(api, req, scale_of(obj))
        if m not in ("PUT", "PATCH"):
            return no_route()
        current = scale_of(obj)
        body = api.body(req)
        if m == "PUT":
            scale = body
            if not isinstance(scale, dict):
                raise bad_request("Scale must be an object")
        else:
            ct = req.content_type
            scale = kpatch.apply_patch(current, ct, body)
        spec = scale.get("spec") if isinstance(scale, dict) else None
        if spec is not None and not isinstance(spec, dict):
            raise bad_request(f'Scale in version "v1" cannot be handled as a Scale: spec: Invalid value: {json.dumps(spec)}: must be an object')
        replicas = (spec or {}).get("replicas")
        if not isinstance(replicas, int) or isinstance(replicas, bool):
            raise ApiError(422, "Invalid", f'Scale.autoscaling "{route.name}" is invalid: spec.replicas: Invalid value: {json.dumps(replicas)}: must be an integer',
                           name=route.name, kind="Scale")
        if replicas < 0:
            raise ApiError(422, "Invalid", f'Scale.autoscaling "{route.name}" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0',
                           name=route.name, kind="Scale",
                           causes=[{"reason": "FieldValueInvalid", "message": f"Invalid value: {replicas}: must be greater than or equal to 0", "field": "spec.replicas"}])
        rv = ((scale.get("metadata") or {}).get("resourceVersion")) if m == "PUT" else None
        if rv and rv != obj["metadata"]["resourceVersion"]:
            raise api.cluster.named(conflict(route.res.kind, route.name or ""))
        new = deep_copy(obj)
        new.setdefault("spec", {})["replicas"] = replicas
        out = api.cluster.replace(new, subresource="scale", dry_run=api.dry_run(req), writer=fields.writer(req, route, "scale"))
        result = scale_of(out)
    api.notify()
    return _scale_response(api, req, result)


def _scale_response(api: Api, req: Request, scale: Obj) -> Response:
    """A Scale as asked: a Table (`kubectl get deploy x --subresource=scale`), metadata, or itself."""
    as_ = api.accept(req)
    if as_ == "Table":
        return Response(200, table.table("Scale", [scale], api.cluster.now(), include_object=req.q("includeObject") or "Metadata",
                                         resource_version=scale["metadata"].get("resourceVersion", "")))
    if as_ == "PartialObjectMetadata":
        return Response(200, table.partial_metadata(scale))
    return Response(200, scale)


def binding(api: Api, req: Request, route: Route) -> Response:
    """``pods/NAME/binding`` or the ``bindings`` resource (what a scheduler posts): the Binding's
    pod gets the target node as its spec.nodeName, its annotations and PodScheduled True; a 201
    Status. BindingREST's refusals: a name unlike the URL's (400), ValidatePodBinding's causes
    (a 500, as the apiserver returns them), and a pod already assigned, being deleted or gated
    (409 on pods/binding)."""
    from k9py.kube.resources import BY_KIND
    from k9py.kube.timefmt import rfc3339
    from k9py.serve.api import Route as _Route
    from k9py.sim.pod_conditions import pod_condition

    dry = api.dry_run(req)
    sent = api.object_body(req, _Route(BY_KIND["Binding"], route.namespace, None, None))
    md = sent["metadata"]
    name = md.get("name") or ""
    if route.res.kind == "Pod" and name != route.name:
        raise bad_request("name in URL does not match name in Binding object")
    found = sent.get("target")
    target: Obj = found if isinstance(found, dict) else {}
    causes = []
    if target.get("kind") and target["kind"] != "Node":
        causes.append(f"target.kind: Unsupported value: {go_quote(str(target['kind']))}: supported values: \"Node\", \"<empty>\"")
    if not target.get("name"):
        causes.append("target.name: Required value")
    if causes:
        raise ApiError(500, "", causes[0] if len(causes) == 1 else "[" + ", ".join(causes) + "]")
    node, ns = str(target["name"]), route.namespace or "default"

    def refused(why: str) -> ApiError:
        return ApiError(409, "Conflict", f'Operation cannot be fulfilled on pods/binding "{name}": {why}',
                        name=name, kind="pods/binding")

    with api.cluster.lock:
        pod = api.cluster.store.must_get("Pod", ns, name)
        # the Binding's uid and resourceVersion are the update's preconditions (kube-scheduler sends
        # the pod's uid: a pod deleted and made again under its name is not bound by a stale decision)
        check_preconditions(BY_KIND["Pod"], pod,
                            {"uid": md.get("uid"), "resourceVersion": md.get("resourceVersion")})
        if pod["metadata"].get("deletionTimestamp"):
            raise refused(f"pod {name} is being deleted, cannot be assigned to a host")
        if pod["spec"].get("nodeName"):
            raise refused(f'pod {name} is already assigned to node "{pod["spec"]["nodeName"]}"')
        if pod["spec"].get("schedulingGates"):
            raise refused(f"pod {name} has non-empty .spec.schedulingGates")
        if not dry:
            now = rfc3339(api.cluster.now())
            annotations = md.get("annotations") if isinstance(md.get("annotations"), dict) else {}

            def bind(p: Obj) -> None:
                p["spec"]["nodeName"] = node
                if annotations:
                    p["metadata"]["annotations"] = {**(p["metadata"].get("annotations") or {}), **annotations}
                st = p.setdefault("status", {})
                conds = [c for c in st.get("conditions") or [] if c.get("type") != "PodScheduled"]
                conds.append(pod_condition(p, "PodScheduled", "True", now))
                st["conditions"] = conds
            api.cluster.store.rewrite("Pod", ns, name, bind, fields=("spec", "status"), generation=False)
    api.notify()
    return Response(201, status_success(201))


def _evict(api: Api, req: Request, route: Route) -> Response:
    body = api.body(req) or {}
    if not isinstance(body, dict):
        raise bad_request("Eviction must be an object")
    md = body.get("metadata")
    if not isinstance(md, dict):
        md = {}
    if md.get("name") and md["name"] != route.name:
        raise bad_request("name in URL does not match name in Eviction object")
    opts = body.get("deleteOptions") or {}
    if not isinstance(opts, dict):
        raise bad_request("Eviction.deleteOptions must be an object")
    wrong = string_list_error("DeleteOptions", "deleteOptions.dryRun", opts.get("dryRun"))
    if wrong:  # the decoder's ("All" is no list): no dry run
        raise bad_request(f'Eviction in version "v1" cannot be handled as a Eviction: {wrong}')
    grace = opts.get("gracePeriodSeconds")
    if grace is not None and (isinstance(grace, bool) or not isinstance(grace, int)):
        raise bad_request("Eviction.deleteOptions.gracePeriodSeconds must be an integer")
    with api.cluster.lock:
        api.cluster.store.must_get("Pod", route.namespace, route.name or "")
        # a dry run is still checked against the PodDisruptionBudgets (429), but deletes nothing
        api.cluster.evict(route.namespace or "default", route.name or "", grace,
                          dry_run=bool(opts.get("dryRun") or req.q("dryRun")))
    api.notify()
    return Response(201, status_success(201))
