"""The Kubernetes REST API over a simulated cluster: routing, verbs, subresources, watches.

Every touch of the cluster happens under ``cluster.lock``; streams (watch, log follow) wait on
``changed`` (a Condition notified after each clock advance and each mutation) without the lock.
"""

from __future__ import annotations

import base64
import json
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import yaml

from k9py.kube import conversion, meta, selectors
from k9py.kube import patch as kpatch
from k9py.kube.meta import deep_copy
from k9py.kube.resources import CRD_KIND, ApiResource, Registry
from k9py.kube.status import (
    ApiError,
    bad_request,
    forbidden,
    invalid,
    method_not_allowed,
    not_found,
    precondition_failed,
    restful,
)
from k9py.kube.unicode import go_int, may_hold_surrogates, replace_lone_surrogates
from k9py.scenario import yamldoc
from k9py.serve import auth, discovery, listoptions, openapi, prom, table
from k9py.serve import metrics as metrics_api
from k9py.serve.go_types import first_wrong_type, string_list_error, unmarshal_error
from k9py.serve.http import MAX_WRITE_BODY, Request, Response, no_route
from k9py.serve.listcache import ListCache, Snapshot
from k9py.sim import admission_policy, certificates, names
from k9py.sim.names import go_quote

Obj = dict[str, Any]

JSON = "application/json"
BODY_TYPES = ("", JSON, "application/yaml")  # what a POST/PUT body may be (and protobuf, decoded apart)
MAX_REQUEST_BODY = MAX_WRITE_BODY  # the apiserver's MaxRequestBodyBytes (3 MiB: twice etcd's 1.5 MiB, for JSON's bulk)
POLL = 0.5  # real seconds a stream waits for a change before checking again
# The apiserver's deprecation warnings (a `Warning` header, which kubectl prints on stderr).
DEPRECATED = {
    "ComponentStatus": "v1 ComponentStatus is deprecated in v1.19+",
    "Endpoints": "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice",
}


def status_success(code: int = 200, details: Obj | None = None) -> Obj:
    s: Obj = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": code}
    if details:
        s["details"] = details
    return s


class Route:
    """A parsed resource URL."""

    def __init__(self, res: ApiResource, namespace: str | None, name: str | None, sub: str | None) -> None:
        self.res = res
        self.namespace = namespace
        self.name = name
        self.sub = sub


class Api:
    def __init__(self, cluster: Any, *, readonly: bool = False, server_address: str = "127.0.0.1:0",
                 metrics: bool = True) -> None:
        self.cluster = cluster
        self.readonly = readonly
        self.metrics = metrics  # serve metrics.k8s.io (False: a cluster without metrics-server)
        self.server_address = server_address
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.lists = ListCache()  # sorted list snapshots: kubectl's pages in O(page)
        self.prom = prom.Metrics()  # the apiserver's own /metrics

    # -- plumbing ------------------------------------------------------------------------------
    def registry(self) -> Registry:
        """What the cluster serves now (its CRDs' custom resources included)."""
        with self.cluster.lock:
            return self.cluster.api_resources()

    def notify(self) -> None:
        with self.changed:
            self.changed.notify_all()

    def wait_change(self, timeout: float = POLL) -> None:
        with self.changed:
            self.changed.wait(timeout)

    def wait_for_version(self, asked: int) -> None:
        """Wait (``listoptions.BLOCK_TIMEOUT`` real seconds at most) until the store has reached
        resourceVersion ``asked``, as the watch cache waits before it answers 504."""
        deadline = time.monotonic() + listoptions.BLOCK_TIMEOUT
        while not self.stopping.is_set():
            with self.cluster.lock:
                if self.cluster.store.resource_version >= asked:
                    return
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.wait_change(min(left, POLL))

    @staticmethod
    def error_response(code: int, reason: str, message: str) -> Response:
        return Response(code, ApiError(code, reason, message).to_status())

    @staticmethod
    def _err(e: ApiError) -> Response:
        return Response(e.code, e.to_status())

    def handle(self, req: Request) -> Response:
        began = time.monotonic()
        warned = admission_policy.WARNINGS.set(req.warnings)  # a Warn validation's words go with the response
        try:
            resp = self._dispatch(req)
        except ApiError as e:
            resp = self._err(e)
        except kpatch.PatchError as e:
            reason = {422: "Invalid", 415: "UnsupportedMediaType"}.get(e.code, "BadRequest")
            resp = self.error_response(e.code, reason, str(e))
        finally:
            admission_policy.WARNINGS.reset(warned)
            certificates.REQUESTER.set(None)  # (set by authorize_request for this request only)
        self._measured(req, resp, began)
        if req.warnings:  # fieldValidation=Warn's unknown fields (serve/fieldcheck.py), Warn validations
            from k9py.serve.fieldcheck import warning_header
            resp.headers["Warning"] = ", ".join(h for h in (resp.headers.get("Warning"), warning_header(req.warnings)) if h)
        return resp

    def _measured(self, req: Request, resp: Response, began: float) -> None:
        """Count ``req`` in /metrics: now, or when its stream or upgraded connection ends."""
        info = req.metrics_info
        if info is None:
            info = req.metrics_info = prom.non_resource(req)
            self.prom.begin(info)
        metrics, code = self.prom, resp.code

        def done() -> None:
            metrics.end(info, code, time.monotonic() - began)

        if resp.stream is not None:
            resp.stream = prom.Counted(resp.stream, done)
        elif resp.upgrade is not None:
            upgrade = resp.upgrade

            def counted(handler: Any) -> None:
                try:
                    upgrade(handler)
                finally:
                    done()
            resp.upgrade = counted
            code = 101  # Switching Protocols, as the apiserver counts an upgraded CONNECT
        else:
            done()

    def _dispatch(self, req: Request) -> Response:
        path = req.path.rstrip("/") or "/"
        if path == "/metrics":
            from k9py.sim.cluster import SERVER_VERSION
            auth.authorize_path(self, req, path)
            with self.cluster.lock:
                registry = self.cluster.api_resources()
                objects: dict[str, int] = {}
                for kind in self.cluster.store.kinds():
                    res = registry.kind(kind)
                    if res is not None:  # as the apiserver names them: plural.group
                        objects[f"{res.plural}.{res.group}" if res.group else res.plural] = self.cluster.store.count(kind)
            return Response(200, self.prom.text(objects, SERVER_VERSION), prom.CONTENT_TYPE)
        if path in ("/healthz", "/readyz", "/livez") or path.startswith(("/healthz/", "/readyz/", "/livez/")):
            from k9py.serve import health
            code, text = health.answer(path, "verbose" in req.query, req.values("exclude"))
            return Response(code, text, "text/plain; charset=utf-8")
        if path == "/version":
            from k9py.sim.cluster import SERVER_VERSION
            return Response(200, json.dumps(SERVER_VERSION, indent=2).encode())  # indented, as the apiserver writes it
        if path == "/api":
            return Response(200, discovery.api_versions(self.server_address))
        if path == "/apis":
            return Response(200, discovery.api_group_list(self.registry(), metrics=self.metrics))
        if path.startswith(("/openapi", "/swagger-2.0.0")):
            return self._openapi(req, path)
        registry = self.registry()
        segs = [s for s in path.split("/") if s]
        if not segs or segs[0] not in ("api", "apis"):
            return self._not_found_path()
        if segs[0] == "api":
            if len(segs) < 2 or segs[1] != "v1":
                return self._not_found_path()
            group, version, rest = "", "v1", segs[2:]
        else:
            if len(segs) >= 2 and segs[1] == metrics_api.GROUP and self.metrics:
                return metrics_api.handle(self, req, segs[2:])
            if len(segs) == 2:
                if segs[1] not in discovery.groups_served(registry):
                    return self._not_found_path()
                return Response(200, discovery.api_group(registry, segs[1]))
            if len(segs) < 3:
                return self._not_found_path()
            group, version, rest = segs[1], segs[2], segs[3:]
        if not rest:
            rl = discovery.resource_list(registry, group, version)
            return Response(200, rl) if rl else self._not_found_path()
        watch_path = False
        if rest[0] == "watch":  # the deprecated /watch/ URL form
            watch_path, rest = True, rest[1:]
        route = self._route(registry, group, version, rest)
        if route is None:
            return self._not_found_path()
        return self._resource(req, route, watch_path)

    @staticmethod
    def _not_found_path() -> Response:
        return Api.error_response(404, "NotFound", "the server could not find the requested resource")

    def _route(self, registry: Registry, group: str, version: str, rest: list[str]) -> Route | None:
        ns = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            res = discovery.find_resource(registry, group, version, rest[2])
            if res is not None and res.namespaced:
                ns, rest = rest[1], rest[2:]
        res = discovery.find_resource(registry, group, version, rest[0])
        if res is None or (len(rest) > 3 and rest[2] != "proxy"):  # proxy/ takes any path after it
            return None
        if res.namespaced and ns is None and len(rest) > 1:
            return None  # /api/v1/pods/x is not a URL
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if sub is not None and sub not in res.subresources:
            return None
        return Route(res, ns, name, sub)

    def _openapi(self, req: Request, path: str) -> Response:
        if path in ("/openapi/v2", "/swagger-2.0.0.pb-v1"):
            return openapi.v2_response(req.headers.get("accept", ""), legacy=path != "/openapi/v2")
        registry = self.registry()
        extra = (metrics_api.NODES, metrics_api.PODS) if self.metrics else ()
        crds: openapi.CrdSchemas = ()
        if registry.custom:  # custom resources are explained by their CRDs' schemas
            with self.cluster.lock:
                crds = openapi.crd_schemas(self.cluster.store.list(CRD_KIND))
        if path == "/openapi/v3":
            return Response(200, openapi.v3_root(registry, extra, crds))
        if path.startswith("/openapi/v3/"):
            parts = path[len("/openapi/v3/"):].split("/")
            doc = None
            if len(parts) == 2 and parts[0] == "api":
                doc = openapi.gv_document(registry, "", parts[1], extra, crds)
            elif len(parts) == 3 and parts[0] == "apis":
                doc = openapi.gv_document(registry, parts[1], parts[2], extra, crds)
            if doc is not None:
                return Response(200, doc)
        return self._not_found_path()

    # -- resources -----------------------------------------------------------------------------
    def _resource(self, req: Request, route: Route, watch_path: bool) -> Response:
        m = req.method
        res = route.res
        req.metrics_info = prom.resource(req, route, watch_path)
        self.prom.begin(req.metrics_info)
        # an impersonated request (kubectl --as) or a client certificate's: its user's RBAC (the
        # self reviews, such as `kubectl auth can-i`, every authenticated user may create)
        auth.authorize_request(self, req, route)
        if auth.handles(route):  # reviews: answered, never stored (a read-only server answers them too)
            self.limit_body(req)
            return auth.handle(self, req, route)
        if m != "GET" and self.readonly:
            verb = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(m, m.lower())
            where = f' in the namespace "{route.namespace}"' if route.namespace else ""
            resource = res.plural + (f"/{route.sub}" if route.sub else "")
            raise forbidden(res.kind, route.name or "", verb,
                            f'User "{auth.SERVE_USER}" cannot {verb} resource "{resource}" in API group '
                            f'"{res.group}"{where}: k9py serve is read-only')
        self._route_selected(req, route, watch_path)
        if route.name is not None and not watch_path:
            # the storage's key function: a name that is no path segment never reaches the store
            bad = names.path_segment(route.name)
            if bad:
                raise bad_request(f"Name parameter invalid: {go_quote(route.name)}: {';'.join(bad)}")
        # the handlers read the body first: one past the limit is its 413 before the options' 422
        self.limit_body(req)
        if route.sub:
            return self._subresource(req, route)
        if res.kind == "Binding" and route.name is None and m == "POST":  # never stored
            from k9py.serve.subresources import binding
            return binding(self, req, route)
        resp = self._resource_verbs(req, route, watch_path)
        if res.kind in DEPRECATED and resp.code < 400:
            resp.headers["Warning"] = f'299 - "{DEPRECATED[res.kind]}"'
        return resp

    @staticmethod
    def _route_selected(req: Request, route: Route, watch_path: bool) -> None:
        """go-restful's route selection, after authorization and before any handler: a method no
        route of the path takes (405: the apiserver registers a verb's route only where the
        resource's storage serves it, as discovery's verbs say), then a PATCH whose media type
        its route does not consume (415, go-restful's words: before the name, the body's size
        and the options are looked at). Without a Content-Type a PATCH's is
        application/octet-stream, body or none. Custom resources have a handler of their own,
        which says which patch types it takes."""
        m, res = req.method, route.res
        if route.sub is None:
            if watch_path:
                routes = {"GET": "watch" in res.verbs and (route.name is not None or "list" in res.verbs)}
            elif route.name is None:
                routes = {"GET": "list" in res.verbs, "POST": "create" in res.verbs,
                          "DELETE": "deletecollection" in res.verbs}
            else:
                routes = {"GET": "get" in res.verbs, "PUT": "update" in res.verbs,
                          "PATCH": "patch" in res.verbs, "DELETE": "delete" in res.verbs}
            if not routes.get(m):
                raise method_not_allowed()
        else:
            from k9py.serve.subresources import takes_patch
            if not takes_patch(route.sub):
                return
        if m == "PATCH" and not res.crd and not _consumes(kpatch.PATCH_TYPES, req.headers.get("content-type", "")):
            if _content_length(req) > 0:
                raise restful(415, "UnsupportedMediaType", "415: Unsupported Media Type")
            # no body (Content-Length 0 or chunked: Go's -1): no route is left for the Accept
            # step, which answers for a PATCH without a body, naming the representations of none
            raise restful(415, "UnsupportedMediaType", "415: Unsupported Media Type\n\nAvailable representations: ")

    def _resource_verbs(self, req: Request, route: Route, watch_path: bool) -> Response:
        m = req.method
        if route.name is None:
            if m == "GET":
                if watch_path or req.flag("watch"):
                    return self._watch(req, route)
                return self._list(req, route)
            if m == "POST":
                return self._create(req, route)
            if m == "DELETE":
                return self._delete_collection(req, route)
            return no_route()
        if m == "GET":
            if watch_path:
                return self._watch(req, route, name=route.name)
            return self.get(req, route)
        if m == "PUT":
            return self._replace(req, route)
        if m == "PATCH":
            return self._patch(req, route)
        if m == "DELETE":
            return self._delete(req, route)
        return no_route()

    def _check_verb(self, res: ApiResource, verb: str) -> None:
        """The verbs route selection does not see: ``?watch=1`` on a list's path (selected as a
        list) and a subresource's GET of its object."""
        if verb not in res.verbs:  # (its route was never registered)
            raise method_not_allowed()

    # -- reading -------------------------------------------------------------------------------
    @staticmethod
    def accept(req: Request) -> str:
        """``Table``, ``PartialObjectMetadata(List)`` or "" (plain JSON) from the Accept header."""
        for part in req.headers.get("accept", "").split(","):
            params = {}
            for p in part.split(";")[1:]:
                if "=" in p:
                    k, v = p.split("=", 1)
                    params[k.strip()] = v.strip()
            as_ = params.get("as")
            if as_ in ("Table", "PartialObjectMetadata", "PartialObjectMetadataList"):
                return as_
            if part.strip().split(";")[0] in ("application/json", "*/*", "application/yaml"):
                break
        return ""

    def filter_for(self, req: Request, route: Route | None = None) -> Callable[[Obj], bool]:
        ls, fs = req.q("labelSelector"), req.q("fieldSelector")
        try:
            fsel = selectors.parse_field_selector(fs)
            selectors.parse_label_selector(ls)
        except ValueError as err:
            raise bad_request(str(err)) from None
        if route is not None and fsel:
            # a converted version's paths (events.k8s.io's regarding.name) → the stored (core) ones
            stored = {p: conversion.field_path_to_storage(route.res.api_version, route.res.kind, p) for p, _, _ in fsel}
            group = conversion.storage_version(route.res.api_version, route.res.kind).rpartition("/")[0]
            for p, _, _ in fsel:
                refused = selectors.unsupported_field(group, route.res.kind, stored[p], route.res.selectable_fields)
                if refused is not None:
                    raise bad_request(refused.replace(stored[p], p))
            fs = ",".join(f"{stored[p]}{op}{selectors.escape_field_value(v)}" for p, op, v in fsel)
        return selectors.compile_filter(ls, fs)

    def _objects(self, route: Route, match: Callable[[Obj], bool]) -> list[Obj]:
        if route.res.kind == "ComponentStatus":
            return [o for o in component_statuses() if match(o)]
        ns = route.namespace if route.res.namespaced else None
        return self.cluster.store.list(route.res.kind, ns, match)

    def _snapshot(self, req: Request, route: Route, match: Callable[[Obj], bool]) -> Snapshot:
        """What a list returns, sorted, from the list cache (under ``cluster.lock``)."""
        if route.res.kind == "ComponentStatus":
            return Snapshot(self._objects(route, match))
        sel = (req.q("labelSelector") or "", req.q("fieldSelector") or "")
        ns = route.namespace if route.res.namespaced else None
        return self.lists.snapshot(self.cluster.store, route.res.kind, ns, sel, match if any(sel) else None)

    def _list(self, req: Request, route: Route) -> Response:
        match = self.filter_for(req, route)  # parameters that do not parse: 400, before the options' 422
        limit = int_param(req, "limit", 0)
        listoptions.check(listoptions.list_problems(req))
        cont = req.q("continue") or ""
        if req.q("resourceVersion") == "0" and not cont:
            # any version will do: kube-apiserver answers from its watch cache, whole, limit
            # ignored (client-go's reflector asks its first list so, in one response)
            limit = 0
        after: tuple[str, str] | None = None
        if cont:
            try:
                token = json.loads(base64.urlsafe_b64decode(cont.encode()).decode())
                after = (token["ns"], token["name"])
            except (ValueError, KeyError, TypeError):
                raise bad_request("continue key is not valid: invalid continue token") from None
            if not all(isinstance(k, str) for k in after):
                raise bad_request("continue key is not valid: invalid continue token")
        asked = listoptions.awaited_version(req)
        if asked is not None:
            self.wait_for_version(asked)
        with self.cluster.lock:
            listoptions.check_version(req, self.cluster.store.resource_version)
            snap = self._snapshot(req, route, match)
            rv = str(self.cluster.store.resource_version)
            now = self.cluster.now()
            start = snap.start_after(after) if after is not None else 0
        objs = snap.objs
        end = len(objs) if limit <= 0 else min(len(objs), start + limit)
        page = objs[start:end]  # a copy of the page only
        next_token, remaining = "", None
        if end < len(objs):
            last = page[limit - 1]
            remaining = len(objs) - end
            next_token = base64.urlsafe_b64encode(json.dumps(
                {"rv": rv, "ns": meta.namespace(last), "name": meta.name(last)}).encode()).decode()
        stored, page = page, [self.in_version(route, o) for o in page]
        as_ = self.accept(req)
        if as_ == "Table":  # printed from the stored version, as the apiserver prints its internal one
            return Response(200, table.table(route.res.kind, page if route.res.crd else stored, now, include_object=req.q("includeObject") or "Metadata",
                                             resource_version=rv, continue_token=next_token, remaining=remaining,
                                             printer_columns=route.res.printer_columns))
        md: Obj = {"resourceVersion": rv}
        if next_token:
            md["continue"] = next_token
            md["remainingItemCount"] = remaining
        if as_.startswith("PartialObjectMetadata"):
            return Response(200, {"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": md,
                                  "items": [table.partial_metadata(o) for o in page]})
        return Response(200, {"kind": f"{route.res.kind}List", "apiVersion": route.res.api_version,
                              "metadata": md, "items": page})

    def fetch(self, route: Route) -> Obj:
        if route.res.kind == "ComponentStatus":
            for o in component_statuses():
                if meta.name(o) == route.name:
                    return o
            raise not_found("ComponentStatus", route.name or "")
        ns = route.namespace if route.res.namespaced else None
        return self.cluster.must_get(route.res.kind, ns, route.name or "")

    @staticmethod
    def in_version(route: Route, obj: Obj) -> Obj:
        """A custom resource as the version the request asked for (stored in the preferred one;
        the versions of one CRD convert with strategy None: only apiVersion changes)."""
        if route.res.crd and obj.get("kind") == route.res.kind and obj.get("apiVersion") != route.res.api_version:
            return {**obj, "apiVersion": route.res.api_version}
        return conversion.convert(obj, route.res.api_version)  # autoscaling/v1, events.k8s.io/v1

    def one(self, req: Request, route: Route, obj: Obj, code: int = 200) -> Response:
        as_ = self.accept(req)
        stored, obj = obj, self.in_version(route, obj)
        if as_ == "Table":
            return Response(code, table.table(obj.get("kind", route.res.kind), [obj if route.res.crd else stored], self.cluster.now(),
                                              include_object=req.q("includeObject") or "Metadata",
                                              resource_version=obj.get("metadata", {}).get("resourceVersion", ""),
                                              printer_columns=route.res.printer_columns))
        if as_ == "PartialObjectMetadata":
            return Response(code, table.partial_metadata(obj))
        return Response(code, obj)

    def get(self, req: Request, route: Route) -> Response:
        self._check_verb(route.res, "get")
        with self.cluster.lock:
            obj = self.fetch(route)
        return self.one(req, route, obj)

    # -- watching ------------------------------------------------------------------------------
    def _watch(self, req: Request, route: Route, name: str | None = None) -> Response:
        from k9py.serve.watch import watch
        self._check_verb(route.res, "watch")
        return watch(self, req, route, self.filter_for(req, route), name)

    # -- writing -------------------------------------------------------------------------------
    @staticmethod
    def limit_body(req: Request) -> None:
        """The apiserver's limit on a write's body (3 MiB): its 413 comes before anything else."""
        if req.body and len(req.body) > MAX_REQUEST_BODY:
            raise ApiError(413, "RequestEntityTooLarge", f"Request entity too large: limit is {MAX_REQUEST_BODY}")

    def body(self, req: Request) -> Any:
        """The request's body decoded (JSON, YAML or protobuf); its size ``_resource`` checked."""
        if not req.body:
            return None
        ct = req.content_type
        if ct == "application/vnd.kubernetes.protobuf":
            from k9py.serve.protobuf import ProtobufError, decode
            try:
                return decode(req.body)
            except (ProtobufError, UnicodeDecodeError) as err:
                raise ApiError(415, "UnsupportedMediaType", f"the protobuf body could not be read: {err}") from None
        if req.method != "PATCH" and ct not in BODY_TYPES:
            # text/plain, a form, cbor...: refused before decoding, like the apiserver (a PATCH's
            # types are checked where it is applied, whose message names them)
            raise ApiError(415, "UnsupportedMediaType",
                           "the body of the request was in an unknown format - accepted media types include: "
                           "application/json, application/yaml, application/vnd.kubernetes.protobuf")
        text = req.body.decode("utf-8", errors="replace")
        try:
            if "yaml" in ct:
                return _finite(yamldoc.load_one(text))
            decoded = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
            yamldoc.check_data(decoded)
            return replace_lone_surrogates(decoded) if may_hold_surrogates(text) else decoded
        except NotJson as err:  # Python's decoder takes NaN, Infinity and 1e999; Go's does not
            raise bad_request(f"error decoding request body: {err}") from None
        except (yamldoc.YamlError, RecursionError) as err:  # too deep for the decoder, or a "billion laughs"
            raise bad_request(f"error decoding request body: {_shape_problem(err)}") from None
        except (ValueError, yaml.YAMLError) as err:
            if "yaml" not in ct:
                try:
                    return _finite(yamldoc.load_one(text))
                except NotJson as not_json:  # (YAML sent as JSON, holding .inf)
                    raise bad_request(f"error decoding request body: {not_json}") from None
                except (yamldoc.YamlError, RecursionError) as shape:
                    raise bad_request(f"error decoding request body: {_shape_problem(shape)}") from None
                except (ValueError, yaml.YAMLError):  # (a 5000-digit number: int() refuses it)
                    pass
            why = err if isinstance(err, (json.JSONDecodeError, yaml.YAMLError)) else \
                "a number too large (more than 4300 digits)"  # int()'s own words name sys.set_int_max_str_digits
            raise bad_request(f"error decoding request body: {why}".splitlines()[0]) from None

    def object_body(self, req: Request, route: Route) -> Obj:
        obj = self.body(req)
        res = route.res
        if not isinstance(obj, dict):
            raise bad_request(f"Object 'Kind' is missing in '{req.body[:200].decode(errors='replace')}'")
        kind = obj.get("kind") or res.kind
        if kind != res.kind:
            raise bad_request(f'the API version in the data ({obj.get("apiVersion", "")}) does not match the expected API version ({res.api_version})'
                              if obj.get("apiVersion") not in (None, res.api_version)
                              else f"{kind} in version \"{res.version}\" cannot be handled as a {res.kind}: no kind \"{kind}\" is registered for version \"{res.api_version}\" in scheme \"k9py\"")
        api_version = obj.get("apiVersion") or res.api_version
        if api_version != res.api_version:
            raise bad_request(f'the API version in the data ({api_version}) does not match the expected API version ({res.api_version})')
        obj["kind"], obj["apiVersion"] = res.kind, res.api_version
        md = obj.get("metadata")
        if md is None:
            md = obj["metadata"] = {}
        if not isinstance(md, dict):
            raise bad_request(f"{res.kind} in version \"{res.version}\" cannot be handled as a {res.kind}: json: cannot unmarshal metadata into Go struct field")
        self._decode_check(req, obj, res)
        if res.namespaced:
            body_ns = md.get("namespace")
            if body_ns and route.namespace and body_ns != route.namespace:
                raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
            md["namespace"] = body_ns or route.namespace or "default"
        return conversion.to_storage(obj)  # an autoscaling/v1 HPA, an events.k8s.io/v1 Event

    def _decode_check(self, req: Request, obj: Obj, res: ApiResource, *, patch: str = "",
                      known: Obj | None = None, patch_body: Any = None) -> None:
        """What decoding the body does in the apiserver: wrong types are a 400; fields the served
        schema does not declare (``serve/fieldcheck.py``) are dropped, and with
        ``fieldValidation=Strict`` (kubectl's default) a 400, with ``Warn`` (the default) a
        ``Warning`` each. ``patch``: the patch type when ``obj`` is a patched object (its strict
        error has no "cannot be handled" prefix) or the apply configuration (server-side apply
        refuses an undeclared field whatever the mode); ``known``: the stored object, whose
        fields are not the request's to answer for. A patched object that does not decode is
        the patch's 422 (``serve/patch_errors.py``; ``patch_body``: a strategic merge patch's
        map, which it names)."""
        from k9py.scenario import schema
        from k9py.serve import fieldcheck

        mode = req.q("fieldValidation") or "Warn"
        if mode not in ("Strict", "Warn", "Ignore"):
            raise bad_request(f'Invalid value: "{mode}": fieldValidation must be one of: "Ignore", "Warn", "Strict"')
        registry = self.registry()
        crd = None
        if res.crd:
            with self.cluster.lock:
                crd = self.cluster.store.get(CRD_KIND, None, res.crd)
        if patch == kpatch.APPLY_PATCH and known is None:
            msg = fieldcheck.typed_patch_error(registry, res, obj, crd)
            if msg:
                raise ApiError(500, "", msg)
            return
        unknown = fieldcheck.unknown_fields(registry, res, obj, crd)
        if known is not None and unknown:
            already = set(fieldcheck.unknown_fields(registry, res, known, crd))
            unknown = [p for p in unknown if p not in already]
        prefix = "" if patch else f'{res.kind} in version "{res.version}" cannot be handled as a {res.kind}: '
        if not (res.crd or res.kind == CRD_KIND):
            # wrong types first (the decoder fails on them before it reports unknown fields);
            # the scenario checks' own idea of unknown fields gives way to the served schema's
            scratch = deep_copy(obj)
            fieldcheck.drop(scratch, unknown)
            for _ in range(100):
                try:
                    schema.check_object(scratch)
                    break
                except schema.FieldError as err:
                    if not err.message.startswith("unknown field"):
                        go = unmarshal_error(res.group, res.version, res.kind, err.field, scratch)
                        if go and patch in (kpatch.STRATEGIC_MERGE_PATCH, kpatch.MERGE_PATCH, kpatch.JSON_PATCH):
                            raise self._patch_invalid(patch, patch_body, obj, go, convert=(res, err.field, scratch)) from None
                        raise bad_request(prefix + (go or str(err))) from None
                    fieldcheck.drop(scratch, [err.field])
            # every other field the served schema types (spec.paused: "yes" decoded as nothing)
            wrong = first_wrong_type(res.group, res.version, res.kind, scratch)
            if wrong is not None:
                path, go = wrong
                if patch in (kpatch.STRATEGIC_MERGE_PATCH, kpatch.MERGE_PATCH, kpatch.JSON_PATCH):
                    raise self._patch_invalid(patch, patch_body, obj, go, convert=(res, path, scratch))
                raise bad_request(prefix + go)
        if not unknown:
            return
        if mode == "Strict":
            if patch in (kpatch.STRATEGIC_MERGE_PATCH, kpatch.MERGE_PATCH, kpatch.JSON_PATCH) and not res.crd:
                raise self._patch_invalid(patch, patch_body, obj, fieldcheck.strict_message(unknown))
            raise bad_request(prefix + fieldcheck.strict_message(unknown))
        if mode == "Warn":
            req.warnings.extend(fieldcheck.unknown_message(p) for p in unknown)
        fieldcheck.drop(obj, unknown)

    @staticmethod
    def _patch_invalid(patch: str, patch_body: Any, patched: Obj, error: str,
                       convert: tuple[ApiResource, str, Obj] | None = None) -> ApiError:
        """The 422 of a patch whose result does not decode: a strategic merge patch names its
        map and the unstructured converter's error; a merge or JSON patch the patched document
        and the JSON decoder's."""
        from k9py.serve import patch_errors

        if patch == kpatch.STRATEGIC_MERGE_PATCH:
            if convert is not None:
                res, path, obj = convert
                error = patch_errors.convert_error(res.group, res.version, res.kind, path, obj) or error
            return patch_errors.patch_invalid(patch_errors.go_sprint(patch_body), error)
        return patch_errors.patch_invalid(patch_errors.patched_document(patched), error)

    def dry_run(self, req: Request) -> bool:
        """The write options checked (``serve/fields.py``): whether it is a dry run."""
        from k9py.serve import fields

        ct = req.content_type
        return fields.validate_write_options(req, ct)

    def _create(self, req: Request, route: Route) -> Response:
        if route.res.namespaced and route.namespace is None:
            return no_route()
        dry = self.dry_run(req)
        obj = self.object_body(req, route)
        from k9py.serve import fields
        with self.cluster.lock:
            created = self.cluster.create(obj, dry_run=dry, writer=fields.writer(req, route))
        self.notify()
        return self.one(req, route, created, 201)

    def _replace(self, req: Request, route: Route) -> Response:
        dry = self.dry_run(req)
        obj = self.object_body(req, route)
        body_name = obj["metadata"].get("name")
        if body_name and body_name != route.name:
            raise bad_request(f"the name of the object ({body_name}) does not match the name on the URL ({route.name})")
        obj["metadata"]["name"] = route.name
        from k9py.serve import fields
        with self.cluster.lock:
            if (route.res.crd or route.res.kind == CRD_KIND) and not obj["metadata"].get("resourceVersion"):
                self.cluster.get(route.res.kind, route.namespace, route.name or "")  # NotFound first
                # custom resources and CRDs allow no unconditional update (their strategies'
                # AllowUnconditionalUpdate is false): `kubectl replace -f` of a file without one
                raise invalid(route.res.plural, route.name or "", [
                    ("metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update")],
                    group=route.res.group)
            out = self.cluster.replace(obj, dry_run=dry, writer=fields.writer(req, route))
        self.notify()
        return self.one(req, route, out)

    def patch_type(self, req: Request, route: Route) -> str:
        """A PATCH's content type, one the resource takes: a 415 otherwise, before its body and
        options are read."""
        ct = req.content_type
        if ct not in kpatch.PATCH_TYPES:
            raise ApiError(415, "UnsupportedMediaType", f'the body of the request was in an unknown format - accepted media types include: {", ".join(kpatch.PATCH_TYPES)}')
        if route.res.crd and ct == kpatch.STRATEGIC_MERGE_PATCH:
            raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
        return ct

    def _patch(self, req: Request, route: Route) -> Response:
        ct = self.patch_type(req, route)
        body = self.body(req)
        if body is None:
            raise bad_request("the body of the request was empty")
        dry = self.dry_run(req)
        from k9py.serve import fields
        if ct == kpatch.APPLY_PATCH and not isinstance(body, dict):
            raise bad_request("apply configuration must be an object")
        with self.cluster.lock:
            ns = route.namespace if route.res.namespaced else None
            current = self.cluster.store.get(route.res.kind, ns, route.name or "")
            if current is None:
                if ct != kpatch.APPLY_PATCH:
                    self.cluster.must_get(route.res.kind, ns, route.name or "")  # NotFound, named
                else:  # structured-merge-diff refuses an undeclared field (fieldcheck.typed_patch_error)
                    self._decode_check(req, body, route.res, patch=ct)
                obj = self.object_body(Request(req.method, req.path, req.query,
                                                {"content-type": JSON}, json.dumps(body).encode()), route)
                obj["metadata"]["name"] = obj["metadata"].get("name") or route.name
                if obj["metadata"]["name"] != route.name:
                    raise bad_request(f"the name of the object ({obj['metadata']['name']}) does not match the name on the URL ({route.name})")
                obj = fields.apply(self.cluster, req, route, None, obj)  # server-side apply's managedFields
                created = self.cluster.create(obj, dry_run=dry, writer=fields.applier(req, route, obj))
                self.notify()
                return self.one(req, route, created, 201)
            if ct == kpatch.APPLY_PATCH:
                body = deep_copy(body)
                bmd = body.get("metadata")
                if bmd is None:
                    bmd = {}
                elif not isinstance(bmd, dict):  # as the create path (object_body) refuses it
                    res = route.res
                    raise bad_request(f'{res.kind} in version "{res.version}" cannot be handled as a {res.kind}: '
                                      "json: cannot unmarshal metadata into Go struct field")
                if bmd.get("name") and bmd["name"] != route.name:
                    raise bad_request(f"the name of the object ({bmd['name']}) does not match the name on the URL ({route.name})")
                if body.get("apiVersion") not in (None, route.res.api_version) or body.get("kind") not in (None, route.res.kind):
                    raise bad_request(f'the API version in the data ({body.get("apiVersion", "")}) does not match the expected API version ({route.res.api_version})'
                                      if body.get("apiVersion") not in (None, route.res.api_version)
                                      else f'the kind in the data ({body.get("kind")}) does not match the expected kind ({route.res.kind})')
                self._decode_check(req, body, route.res, patch=ct)
            current = self.in_version(route, current)  # patched in the version of the request
            if ct == kpatch.APPLY_PATCH:  # merged by field ownership (kube/fieldmanager.py)
                patched = fields.apply(self.cluster, req, route, current, body)
            else:
                patched = kpatch.apply_patch(current, ct, body)
            if not isinstance(patched, dict):
                raise ApiError(422, "Invalid", "the patched object is not an object")
            pmd = patched.get("metadata")
            if not isinstance(pmd, dict) or pmd.get("name") != route.name:
                raise ApiError(422, "Invalid", f'{route.res.kind} "{route.name}" is invalid: metadata.name: Invalid value: the name cannot be changed by a patch')
            if route.res.namespaced and pmd.get("namespace") != current["metadata"].get("namespace"):
                raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
            patched["kind"], patched["apiVersion"] = route.res.kind, route.res.api_version
            # The apiserver decodes the patched document into the typed object: a value of the
            # wrong type is refused here, before it can reach a controller.
            self._decode_check(req, patched, route.res, patch=ct, known=current, patch_body=body)
            out = self.cluster.replace(conversion.to_storage(patched), dry_run=dry,
                                       writer=fields.applier(req, route, patched) if ct == kpatch.APPLY_PATCH else fields.writer(req, route))
        self.notify()
        return self.one(req, route, out)

    def _delete_options(self, req: Request) -> Obj:
        """The DeleteOptions of a delete or a deletecollection: its body's when it has one (the
        query's gracePeriodSeconds, propagationPolicy, dryRun and orphanDependents are then not
        read at all, as by the apiserver's handlers), else the query's."""
        opts: Obj = {}
        body = self.body(req) if req.body else None
        if body is not None:
            if not isinstance(body, dict):
                raise bad_request("DeleteOptions must be an object")
            wrong = string_list_error("DeleteOptions", "dryRun", body.get("dryRun"))
            if wrong:  # the decoder's 400 ("All" is no list, 1 no string): no dry run
                raise bad_request(wrong)
            opts.update(body)
        else:
            if req.q("gracePeriodSeconds") is not None:
                opts["gracePeriodSeconds"] = int_param(req, "gracePeriodSeconds", 0)
            if req.q("propagationPolicy"):
                opts["propagationPolicy"] = req.q("propagationPolicy")
            if req.values("dryRun"):
                opts["dryRun"] = req.values("dryRun")
            orphan = req.q("orphanDependents")
            if orphan is not None:  # Convert_Slice_string_To_Pointer_bool: only "0" and "false" are false
                opts["orphanDependents"] = not (orphan == "0" or orphan.lower() == "false")
        grace = opts.get("gracePeriodSeconds")
        if grace is not None and not isinstance(grace, int):
            raise bad_request("gracePeriodSeconds must be an integer")
        # ValidateDeleteOptions: a 422 on DeleteOptions of meta.k8s.io, every cause together
        causes: list[tuple[str, str]] = []
        policy = opts.get("propagationPolicy")
        if opts.get("orphanDependents") is not None and policy is not None:
            causes.append(("propagationPolicy", f"Invalid value: {go_quote(str(policy))}: orphanDependents and deletionPropagation cannot be both set"))
        if policy is not None and policy not in ("Orphan", "Background", "Foreground"):
            causes.append(("propagationPolicy", f'Unsupported value: {go_quote(str(policy))}: supported values: "Foreground", "Background", "Orphan", "nil"'))
        dry = opts.get("dryRun")
        if dry is not None:
            from k9py.serve import fields
            causes += fields.dry_run_causes(["" if v is None else v for v in dry])  # (null decodes as "")
        if causes:
            raise invalid("DeleteOptions", "", causes, group="meta.k8s.io")
        if opts.get("orphanDependents") is True and not policy:
            opts["propagationPolicy"] = "Orphan"
        return opts

    def _delete_one(self, route: Route, name: str, opts: Obj) -> tuple[Obj | None, Obj]:
        """Delete under the lock; returns (the object if it still exists (Terminating), the last view)."""
        res = route.res
        ns = route.namespace if res.namespaced else None
        obj = self.cluster.must_get(res.kind, ns, name)
        check_preconditions(res, obj, opts.get("preconditions") or {})
        out = self.cluster.delete(res.kind, ns, name, grace_period=opts.get("gracePeriodSeconds"),
                                  propagation=opts.get("propagationPolicy"), dry_run=bool(opts.get("dryRun")))
        still = self.cluster.store.get(res.kind, ns, name)
        return still, out if isinstance(out, dict) else obj

    def _delete(self, req: Request, route: Route) -> Response:
        opts = self._delete_options(req)
        with self.cluster.lock:
            still, last = self._delete_one(route, route.name or "", opts)
        self.notify()
        if opts.get("dryRun"):
            return self.one(req, route, last)
        if still is not None:
            return self.one(req, route, still)
        if route.res.kind == "Pod":
            return self.one(req, route, last)
        details: Obj = {"name": route.name, "kind": route.res.plural, "uid": meta.uid(last)}
        if route.res.group:
            details["group"] = route.res.group
        return Response(200, status_success(200, details))

    def _delete_collection(self, req: Request, route: Route) -> Response:
        opts = self._delete_options(req)
        match = self.filter_for(req, route)
        deleted = []
        with self.cluster.lock:
            for obj in self._objects(route, match):
                r = Route(route.res, meta.namespace(obj) or None, meta.name(obj), None)
                try:
                    _, last = self._delete_one(r, meta.name(obj), opts)
                except ApiError as e:
                    if e.code != 404:
                        raise
                    continue
                deleted.append(last)
            rv = str(self.cluster.store.resource_version)
        self.notify()
        return Response(200, {"kind": f"{route.res.kind}List", "apiVersion": route.res.api_version,
                              "metadata": {"resourceVersion": rv}, "items": deleted})

    # -- subresources --------------------------------------------------------------------------
    def _subresource(self, req: Request, route: Route) -> Response:
        from k9py.serve.subresources import subresource
        return subresource(self, req, route)


# -- helpers ---------------------------------------------------------------------------------------

class NotJson(Exception):
    """A number JSON has no place for (NaN, Infinity, 1e999, YAML's .inf): the apiserver's
    decoder refuses the body; stored, it made every later list of the kind fail."""


def _no_constant(name: str) -> Any:
    raise NotJson(f"invalid character '{name[0] if name[0] != '-' else name[1]}' looking for beginning of value")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise NotJson(f"json: cannot unmarshal number {text} into Go value of type float64")
    return value


def _finite(data: Any) -> Any:
    """``data`` (a YAML body) if no float in it is NaN or infinite (Go's YAML to JSON refuses them)."""
    found = yamldoc.not_finite(data)
    if found is not None:
        raise NotJson(found[1])
    return data


def _shape_problem(err: Exception) -> str:
    """A body too deep or blown up by aliases, in yamldoc's words (without its "yaml: ")."""
    if isinstance(err, yamldoc.YamlError):
        return err.message.removeprefix("yaml: ")
    return f"nested more than {yamldoc.MAX_DEPTH} levels deep"  # deeper than the JSON decoder goes


def int_param(req: Request, name: str, default: int) -> int:
    v = req.q(name)
    if v is None or v == "":
        return default
    n = go_int(v)
    if n is None:
        raise bad_request(f'invalid value for {name}: "{v}": must be an integer')
    return n


def component_statuses() -> list[Obj]:
    out = []
    for name, message in (("controller-manager", "ok"), ("etcd-0", "ok"), ("scheduler", "ok")):
        out.append({"kind": "ComponentStatus", "apiVersion": "v1",
                    "metadata": {"name": name},
                    "conditions": [{"type": "Healthy", "status": "True", "message": message}]})
    return out


def check_preconditions(res: ApiResource, obj: Obj, pre: Obj) -> None:
    """A write's preconditions (``{uid, resourceVersion}``) against the stored ``obj``: the
    apiserver's 409 for the first that fails."""
    md = obj["metadata"]
    for key, field in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
        if pre.get(key) and pre[key] != md.get(key):
            raise precondition_failed(res, md.get("namespace"), md.get("name") or "", field, str(pre[key]), str(md.get(key) or ""))


def _content_length(req: Request) -> int:
    """The request's ContentLength as Go's server has it: -1 for a chunked body (its
    Content-Length header dropped), else the header's value, 0 without one."""
    if req.headers.get("transfer-encoding", "").lower() == "chunked":
        return -1
    try:
        return int(req.headers.get("content-length", "") or 0)
    except ValueError:
        return -1


def _consumes(types: tuple[str, ...] | list[str], header: str) -> bool:
    """go-restful's Route.matchesContentType for a PATCH route: any of a Content-Type's
    comma-separated types, without its parameters and the spaces around it, exactly one the
    route consumes; none given is application/octet-stream (which no PATCH route consumes)."""
    return any(t.split(";", 1)[0].strip(" ") in types for t in (header or "application/octet-stream").split(","))
