"""authentication.k8s.io and authorization.k8s.io over the simulator: who a request comes from and
what it may do.

- **Who.** ``k9py serve`` has one user, the one its kubeconfig names (``k9py-sim``, in
  ``system:masters``: cluster-admin by the bootstrap ``cluster-admin`` binding); with ``--tls``
  a client certificate signed by the cluster CA (an issued CSR's) makes a request its CN's, in
  its O groups, who needs RBAC for what it does (and ``impersonate`` to use ``--as``). kubectl's
  ``--as``/``--as-group`` (``Impersonate-*`` headers) make a request another user's: a
  ServiceAccount's username brings its groups, every user is ``system:authenticated``.
- **What.** An impersonated request is authorized by the cluster's RBAC objects
  (``sim/rbac.py``: the bootstrap policy and whatever was applied) and refused with the
  apiserver's 403 otherwise; the served user may do anything but write under ``--readonly``.
- **Reviews** (created, never stored): SelfSubjectAccessReview (``kubectl auth can-i``),
  SelfSubjectRulesReview (``can-i --list``), SubjectAccessReview, LocalSubjectAccessReview,
  SelfSubjectReview (``kubectl auth whoami``), TokenReview (of the tokens below).
- **TokenRequest** (``serviceaccounts/NAME/token``, ``kubectl create token``): a JWT for an
  existing ServiceAccount, signed with a key the cluster keeps, that TokenReview verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from k9py.kube import meta
from k9py.kube.kubeconfig import DEFAULT_NAME
from k9py.kube.status import ApiError, bad_request, forbidden, invalid, not_found
from k9py.kube.timefmt import rfc3339
from k9py.serve.http import Request, Response, no_route
from k9py.sim import certificates, rbac

if TYPE_CHECKING:
    from k9py.serve.api import Api, Route

Obj = dict[str, Any]

AUTHN = "authentication.k8s.io"
AUTHZ = "authorization.k8s.io"
SERVE_USER = DEFAULT_NAME  # the user of the kubeconfig ``k9py serve --kubeconfig-out`` writes
SERVE_GROUPS = ("system:masters",)
READ_VERBS = ("get", "list", "watch")
ISSUER = "https://kubernetes.default.svc.cluster.local"  # minikube's service-account issuer and audience
TOKEN_DEFAULT_SECONDS = 3600
TOKEN_MIN_SECONDS = 600
_KEY_STATE = "serve.token_key"
CREDENTIAL_ID = "authentication.kubernetes.io/credential-id"


# -- who ---------------------------------------------------------------------------------------------
def impersonating(req: Request) -> bool:
    return any(k == "impersonate-user" or k.startswith(("impersonate-group", "impersonate-uid", "impersonate-extra-"))
               for k, _ in req.all_headers)


def authenticated(req: Request) -> rbac.UserInfo:
    """Who a request authenticates as: the user its verified client certificate names (CN the
    name, O the groups, with ``--tls``), else the served user."""
    if req.client_cert is not None:  # with its credential ID, as the x509 authenticator adds it
        name, orgs, fingerprint = req.client_cert
        return rbac.user_info(name, orgs, extra={CREDENTIAL_ID: [f"X509SHA256={fingerprint}"]})
    return rbac.user_info(SERVE_USER, SERVE_GROUPS)


def requester(req: Request) -> rbac.UserInfo:
    """The user a request is made as: who it authenticates as, or whom it impersonates."""
    if not impersonating(req):
        return authenticated(req)
    name = req.headers.get("impersonate-user", "")
    groups = [v for k, v in req.all_headers if k == "impersonate-group"]
    extra: dict[str, list[str]] = {}
    for k, v in req.all_headers:
        if k.startswith("impersonate-extra-"):
            extra.setdefault(unquote(k[len("impersonate-extra-"):]), []).append(v)
    if not name:
        asked = [*(f"{{Group {g}}}" for g in groups), *(f"{{Extra {k}}}" for k in extra)]
        raise ApiError(403, "Forbidden", f"requested [{' '.join(asked)}] without impersonating a user")
    return rbac.user_info(name, groups, req.headers.get("impersonate-uid", ""), extra)


def check_impersonation(api: Api, req: Request) -> None:
    """The impersonation filter: the authenticated user needs ``impersonate`` on each user,
    group and ServiceAccount it asks to act as (the served user is cluster-admin)."""
    if not impersonating(req) or req.client_cert is None:
        return
    me = authenticated(req)
    name = req.headers.get("impersonate-user", "")
    asked: list[tuple[str, str, str, str]] = []  # (resource, namespace, name, kind for the message)
    if name.startswith(rbac.SA_PREFIX) and name.count(":") == 3:
        _, _, ns, sa = name.split(":")
        asked.append(("serviceaccounts", ns, sa, "ServiceAccount"))
    elif name:
        asked.append(("users", "", name, "User"))
    asked += [("groups", "", v, "Group") for k, v in req.all_headers if k == "impersonate-group"]
    if req.headers.get("impersonate-uid"):
        asked.append(("uids", "", req.headers["impersonate-uid"], "UID"))
    for resource, ns, target, _ in asked:
        attrs = rbac.Attributes("impersonate", resource, "authentication.k8s.io" if resource == "uids" else "",
                                "", target, ns)
        with api.cluster.lock:
            allowed, _ = rbac.authorize(api.cluster, me, attrs)
        if not allowed:
            raise ApiError(403, "Forbidden", f'{resource} "{target}" is forbidden: {denial(me.name, attrs)}',
                           name=target, kind=resource)


def _request_verb(req: Request, route: Route) -> str:
    m = req.method
    if m == "GET":
        if route.name is None:
            return "watch" if req.flag("watch") else "list"
        return "get"
    if m == "DELETE":
        return "delete" if route.name else "deletecollection"
    return {"POST": "create", "PUT": "update", "PATCH": "patch"}.get(m, m.lower())


def denial(user: str, attrs: rbac.Attributes) -> str:
    resource = attrs.resource + (f"/{attrs.subresource}" if attrs.subresource else "")
    where = f' in the namespace "{attrs.namespace}"' if attrs.namespace else " at the cluster scope"
    return f'User "{user}" cannot {attrs.verb} resource "{resource}" in API group "{attrs.group}"{where}'


def authorize_request(api: Api, req: Request, route: Route) -> None:
    """Refuse a request its user's RBAC does not allow (403, the apiserver's words): an impersonated
    one's, a client certificate's. The served user itself is cluster-admin (read-only aside: see ``Api._resource``). The
    requester is recorded for the writes it makes: a CSR's (``sim/certificates.py``), admission policies'."""
    check_impersonation(api, req)
    who = requester(req)  # (a CSR's spec.username, an admission policy's request.userInfo)
    certificates.REQUESTER.set((who.name, who.groups, who.uid, {k: list(v) for k, v in who.extra}))
    attrs = rbac.Attributes(_request_verb(req, route), route.res.plural, route.res.group, route.sub or "",
                            route.name or "", route.namespace or "" if route.res.namespaced else "")
    if (user := _refused(api, req, attrs)) is not None:
        raise forbidden(route.res.kind, route.name or "", attrs.verb, denial(user.name, attrs))


def _refused(api: Api, req: Request, attrs: rbac.Attributes) -> rbac.UserInfo | None:
    """The user RBAC refuses ``attrs`` to; None when allowed, or when the request is the served
    user's own (cluster-admin: neither impersonated nor a client certificate's)."""
    if not impersonating(req) and req.client_cert is None:
        return None
    user = requester(req)
    with api.cluster.lock:
        allowed, _ = rbac.authorize(api.cluster, user, attrs)
    return None if allowed else user


def authorize_path(api: Api, req: Request, path: str) -> None:
    """Refuse a non-resource URL (``/metrics``) to a user RBAC gives no ``get`` on it."""
    check_impersonation(api, req)
    verb = {"GET": "get", "HEAD": "head", "POST": "post", "PUT": "put", "PATCH": "patch",
            "DELETE": "delete"}.get(req.method, req.method.lower())
    if (user := _refused(api, req, rbac.Attributes(verb, path=path))) is not None:
        raise ApiError(403, "Forbidden", f'forbidden: User "{user.name}" cannot {verb} path "{path}"')


def authorize_read(api: Api, req: Request, resource: str, group: str, name: str | None,
                   namespace: str | None) -> None:
    """An aggregated API's request (metrics.k8s.io: ``kubectl top``) judged like a resource's, by
    the verb its method is (a read: ``get``/``list``/``watch``), before anything else answers:
    the impersonated or client-certificate user needs RBAC on it."""
    check_impersonation(api, req)
    verb = {"GET": "watch" if req.flag("watch") else "get" if name else "list", "POST": "create",
            "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(req.method, req.method.lower())
    attrs = rbac.Attributes(verb, resource, group, "", name or "", namespace or "")
    if (user := _refused(api, req, attrs)) is not None:
        target = f'{resource}.{group} "{name}"' if name else f"{resource}.{group}"
        err = ApiError(403, "Forbidden", f"{target} is forbidden: {denial(user.name, attrs)}", name=name)
        err.details_kind, err.details_group = resource, group
        raise err


def _decide(api: Api, user: rbac.UserInfo, attrs: rbac.Attributes) -> tuple[bool, str]:
    """RBAC's answer; a read-only server says no to every write, whoever asks."""
    if api.readonly and attrs.verb not in READ_VERBS:
        return False, ""
    with api.cluster.lock:
        return rbac.authorize(api.cluster, user, attrs)


# -- reviews -----------------------------------------------------------------------------------------
def _dict(v: Any) -> Obj:
    return v if isinstance(v, dict) else {}


def handles(route: Route) -> bool:
    """Whether ``route`` is one of the reviews this module answers (they write nothing, so a
    read-only server answers them too)."""
    return route.res.group in (AUTHN, AUTHZ)


def _body(api: Api, req: Request, route: Route) -> Obj:
    body = api.body(req)
    if not isinstance(body, dict):
        raise bad_request(f"Object 'Kind' is missing in '{req.body[:200].decode(errors='replace')}'")
    kind, version = body.get("kind") or route.res.kind, body.get("apiVersion") or route.res.api_version
    if kind != route.res.kind or version != route.res.api_version:
        raise bad_request(f'the API version in the data ({version}) does not match the expected API version '
                          f'({route.res.api_version})' if version != route.res.api_version else
                          f'{kind} in version "{route.res.version}" cannot be handled as a {route.res.kind}')
    return body


def _attributes(kind: str, spec: Obj, namespace: str | None = None) -> rbac.Attributes:
    ra, na = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if (ra is None) == (na is None):
        which = "resourceAttributes" if ra is not None else "nonResourceAttributes"
        raise invalid(kind, "", [(f"spec.{which}", 'Invalid value: "null": exactly one of nonResourceAttributes or '
                                                   "resourceAttributes must be specified")])
    if na is not None:
        if not isinstance(na, dict):
            raise bad_request(f"{kind}: spec.nonResourceAttributes must be an object")
        return rbac.Attributes(str(na.get("verb") or ""), path=str(na.get("path") or ""))
    if not isinstance(ra, dict):
        raise bad_request(f"{kind}: spec.resourceAttributes must be an object")
    ns = str(ra.get("namespace") or "")
    if namespace is not None and ns != namespace:
        raise invalid(kind, "", [("spec.resourceAttributes.namespace",
                                  f'Invalid value: "{ns}": must match metadata.namespace')])
    return rbac.Attributes(str(ra.get("verb") or ""), str(ra.get("resource") or ""), str(ra.get("group") or ""),
                           str(ra.get("subresource") or ""), str(ra.get("name") or ""), ns)


def _review(route: Route, body: Obj, status: Obj, namespace: str | None = None) -> Obj:
    md: Obj = {"creationTimestamp": None}
    if namespace:
        md["namespace"] = namespace
    for k in ("name", "generateName", "labels", "annotations"):
        if isinstance(body.get("metadata"), dict) and body["metadata"].get(k):
            md[k] = body["metadata"][k]
    out: Obj = {"kind": route.res.kind, "apiVersion": route.res.api_version, "metadata": md}
    if "spec" in body or route.res.kind != "SelfSubjectReview":
        out["spec"] = _dict(body.get("spec"))
    out["status"] = status
    return out


def _access_status(allowed: bool, reason: str) -> Obj:
    status: Obj = {"allowed": allowed}
    if reason:
        status["reason"] = reason
    return status


def _user_info_json(user: rbac.UserInfo) -> Obj:
    out: Obj = {"username": user.name}
    if user.uid:
        out["uid"] = user.uid
    if user.groups:
        out["groups"] = list(user.groups)
    if user.extra:
        out["extra"] = {k: list(v) for k, v in user.extra}
    return out


def handle(api: Api, req: Request, route: Route) -> Response:
    """POST of a review: the answer (201), computed from the cluster's RBAC objects."""
    if req.method != "POST" or route.name is not None:
        return no_route()
    kind = route.res.kind
    if kind == "TokenReview":
        return _token_review(api, req, route)
    body = _body(api, req, route)
    spec = _dict(body.get("spec"))
    check_impersonation(api, req)
    me = requester(req)
    if kind == "SelfSubjectReview":
        return Response(201, _review(route, body, {"userInfo": _user_info_json(me)}))
    if kind == "SelfSubjectAccessReview":
        attrs = _attributes(kind, spec)
        allowed, reason = _decide(api, me, attrs)
        return Response(201, _review(route, body, _access_status(allowed, reason)))
    if kind == "SelfSubjectRulesReview":
        ns = str(spec.get("namespace") or "")
        with api.cluster.lock:
            res, nonres = rbac.rules_for(api.cluster, me, ns)
        if api.readonly:
            res, nonres = _read_only(res), _read_only(nonres)
        return Response(201, _review(route, body, {"resourceRules": res, "nonResourceRules": nonres, "incomplete": False}))
    # SubjectAccessReview / LocalSubjectAccessReview: the user under review is the spec's, as given
    user, groups = str(spec.get("user") or ""), spec.get("groups") or []
    if not user and not groups:
        raise invalid(kind, "", [("spec.user", 'Invalid value: "": at least one of user or group must be specified')])
    namespace = route.namespace if kind == "LocalSubjectAccessReview" else None
    if namespace is not None and spec.get("nonResourceAttributes") is not None:
        raise invalid(kind, "", [("spec.nonResourceAttributes", "Invalid value: disallowed on this kind of request")])
    attrs = _attributes(kind, spec, namespace)
    extra = _dict(spec.get("extra"))
    subject = rbac.UserInfo(user, tuple(str(g) for g in groups), str(spec.get("uid") or ""),
                            tuple(sorted((str(k), tuple(v)) for k, v in extra.items())))
    allowed, reason = _decide(api, subject, attrs)
    return Response(201, _review(route, body, _access_status(allowed, reason), namespace))


def _read_only(rules: list[Obj]) -> list[Obj]:
    out = []
    for r in rules:
        verbs = r.get("verbs") or []
        keep = list(READ_VERBS) if "*" in verbs else [v for v in verbs if v in READ_VERBS]
        if keep:
            out.append({**r, "verbs": keep})
    return out


# -- service account tokens --------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(api: Api) -> bytes:
    state = api.cluster.state
    if _KEY_STATE not in state:
        state[_KEY_STATE] = api.cluster.rng.getrandbits(256).to_bytes(32, "big")
    key: bytes = state[_KEY_STATE]
    return key


def _signature(key: bytes, signing_input: bytes) -> bytes:
    """256 bytes, the size of an RS256 signature (HMAC-SHA256 chained: the simulator keeps no RSA key)."""
    out, block = b"", signing_input
    while len(out) < 256:
        block = hmac.new(key, block, hashlib.sha256).digest()
        out += block
    return out[:256]


def mint_token(api: Api, claims: Obj) -> str:
    key = _key(api)
    header = {"alg": "RS256", "kid": _b64(hashlib.sha256(key).digest()[:32])}
    signing_input = f"{_b64(json.dumps(header, separators=(',', ':')).encode())}." \
                    f"{_b64(json.dumps(claims, separators=(',', ':')).encode())}".encode()
    return f"{signing_input.decode()}.{_b64(_signature(key, signing_input))}"


def verify_token(api: Api, token: str) -> Obj | None:
    """The claims of a token this server minted and that has not expired, else None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        good = hmac.compare_digest(_unb64(parts[2]), _signature(_key(api), f"{parts[0]}.{parts[1]}".encode()))
        claims = json.loads(_unb64(parts[1]))
    except (ValueError, TypeError):
        return None
    if not good or not isinstance(claims, dict) or float(claims.get("exp") or 0) <= api.cluster.now():
        return None
    return claims


def _invalid_token(name: str, causes: list[tuple[str, str]]) -> ApiError:
    return invalid("TokenRequest", name, causes, group=AUTHN)


def token_request(api: Api, req: Request, route: Route) -> Response:
    """POST ``serviceaccounts/NAME/token``: a TokenRequest answered with a token (201)."""
    if req.method != "POST":
        return no_route()
    body = api.body(req)
    if not isinstance(body, dict):
        raise bad_request("a TokenRequest body is required")
    if body.get("kind") not in (None, "TokenRequest"):
        raise bad_request(f'{body.get("kind")} in version "v1" cannot be handled as a TokenRequest')
    spec = _dict(body.get("spec"))
    name, ns = route.name or "", route.namespace or "default"
    seconds = spec.get("expirationSeconds")
    seconds = TOKEN_DEFAULT_SECONDS if seconds in (None, 0) else seconds
    if not isinstance(seconds, int):
        raise bad_request("spec.expirationSeconds must be an integer")
    if seconds < TOKEN_MIN_SECONDS:
        raise _invalid_token(name, [("spec.expirationSeconds",
                                     f"Invalid value: {seconds}: may not specify a duration less than 10 minutes")])
    if seconds > 1 << 32:
        raise _invalid_token(name, [("spec.expirationSeconds",
                                     f"Invalid value: {seconds}: may not specify a duration larger than 2^32 seconds")])
    audiences = [str(a) for a in spec.get("audiences") or []] or [ISSUER]
    bound = spec.get("boundObjectRef") if isinstance(spec.get("boundObjectRef"), dict) else None
    with api.cluster.lock:
        sa = api.cluster.store.get("ServiceAccount", ns, name)
        if sa is None:
            raise not_found("ServiceAccount", name)
        now = int(api.cluster.now())
        private: Obj = {"namespace": ns, "serviceaccount": {"name": name, "uid": meta.uid(sa)}}
        if bound is not None:
            bkind, bname = str(bound.get("kind") or ""), str(bound.get("name") or "")
            if bkind not in ("Pod", "Secret", "Node"):
                raise _invalid_token(name, [("spec.boundObjectRef.kind", f'Unsupported value: "{bkind}": '
                                             'supported values: "Node", "Pod", "Secret"')])
            obj = api.cluster.store.get(bkind, None if bkind == "Node" else ns, bname)
            if obj is None:
                raise not_found(bkind, bname)
            if bound.get("uid") and bound["uid"] != meta.uid(obj):
                raise ApiError(409, "Conflict", f'the UID in the bound object reference ({bound["uid"]}) does not match '
                                                f"the UID in record. The object might have been deleted and then recreated")
            private[bkind.lower()] = {"name": bname, "uid": meta.uid(obj)}
        jti = str(uuid.UUID(int=api.cluster.rng.getrandbits(128), version=4))
        claims = {"aud": audiences, "exp": now + seconds, "iat": now, "iss": ISSUER, "jti": jti,
                  "kubernetes.io": private, "nbf": now, "sub": f"{rbac.SA_PREFIX}{ns}:{name}"}
        token = mint_token(api, claims)
    out_spec: Obj = {"audiences": audiences, "expirationSeconds": seconds, "boundObjectRef": bound}
    return Response(201, {"kind": "TokenRequest", "apiVersion": f"{AUTHN}/v1",
                          "metadata": {"name": name, "namespace": ns, "creationTimestamp": rfc3339(now)},
                          "spec": out_spec,
                          "status": {"token": token, "expirationTimestamp": rfc3339(now + seconds)}})


def _token_review(api: Api, req: Request, route: Route) -> Response:
    body = _body(api, req, route)
    spec = _dict(body.get("spec"))
    token = str(spec.get("token") or "")
    if not token:
        raise invalid("TokenReview", "", [("spec.token", "Required value")])
    wanted = [str(a) for a in spec.get("audiences") or []] or [ISSUER]
    with api.cluster.lock:
        claims = verify_token(api, token)
        sa = None
        if claims is not None:
            private = claims.get("kubernetes.io") or {}
            sa = api.cluster.store.get("ServiceAccount", private.get("namespace"), (private.get("serviceaccount") or {}).get("name", ""))
            if sa is None or meta.uid(sa) != (private.get("serviceaccount") or {}).get("uid"):
                sa = None
    audiences = [a for a in wanted if claims and a in (claims.get("aud") or [])]
    if claims is None or sa is None or not audiences:
        status: Obj = {"user": {}, "error": "[invalid bearer token, service account token has been invalidated]"
                       if claims is not None else "[invalid bearer token, token lookup failed]"}
        return Response(201, _review(route, body, status))
    private = claims["kubernetes.io"]
    user = rbac.user_info(str(claims.get("sub")))
    info = _user_info_json(user)
    info["uid"] = private["serviceaccount"]["uid"]
    extra: Obj = {CREDENTIAL_ID: [f"JTI={claims.get('jti')}"]}
    if "pod" in private:
        extra["authentication.kubernetes.io/pod-name"] = [private["pod"]["name"]]
        extra["authentication.kubernetes.io/pod-uid"] = [private["pod"]["uid"]]
    info["extra"] = extra
    return Response(201, _review(route, body, {"authenticated": True, "user": info, "audiences": audiences}))
