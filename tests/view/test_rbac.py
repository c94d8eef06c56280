"""The rbac and policy views' rows: a role's rules one resource a line with its verbs, and what a
subject may do through every binding that names it (a service account's groups included)."""

from k9py.view import rbac


def rows(grants):
    return [(g.namespace, g.resource, g.group, g.binding, "".join("y" if g.allows(v) else "." for v in rbac.VERBS),
             g.extras()) for g in grants]


RULES = [
    {"apiGroups": ["", "apps"], "resources": ["pods", "deployments"], "verbs": ["get", "list"]},
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["watch"]},  # the same resource again: verbs add up
    {"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"], "verbs": ["*"]},
    {"apiGroups": ["policy"], "resources": ["podsecuritypolicies"], "verbs": ["use", "get"]},
    {"nonResourceURLs": ["healthz", "/metrics"], "verbs": ["get", "post"]},
    "not a rule",
]


def test_a_roles_rules_are_one_line_a_resource_and_group():
    assert rows(rbac.grants(RULES)) == [
        ("", "/healthz", "", "", "y..y....", ""),  # post is create
        ("", "/metrics", "", "", "y..y....", ""),
        ("", "deployments", "apps", "", "yy......", ""),
        ("", "deployments", "core", "", "yy......", ""),
        ("", "deployments/web", "apps", "", "yyyyyyyy", ""),  # resourceNames: that one only
        ("", "pods", "apps", "", "yy......", ""),
        ("", "pods", "core", "", "yyy.....", ""),
        ("", "podsecuritypolicies", "policy", "", "y.......", "use"),
    ]
    assert rbac.grants(None) == [] and rbac.grants([{"apiGroups": [""], "verbs": ["get"]}]) == []


def binding(kind, name, role_kind, role, subjects, ns=""):
    md = {"name": name, **({"namespace": ns} if ns else {})}
    return {"kind": kind, "metadata": md, "roleRef": {"kind": role_kind, "name": role}, "subjects": subjects}


def test_a_service_account_may_do_what_its_bindings_and_groups_grant():
    roles = [{"kind": "Role", "metadata": {"name": "reader", "namespace": "shop"},
              "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]}]
    cluster_roles = [{"kind": "ClusterRole", "metadata": {"name": "viewer"},
                      "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]},
                     {"kind": "ClusterRole", "metadata": {"name": "discovery"},
                      "rules": [{"nonResourceURLs": ["/api"], "verbs": ["get"]}]}]
    sa = {"kind": "ServiceAccount", "name": "app"}  # no namespace: the RoleBinding's
    bindings = [
        binding("RoleBinding", "app-reads", "Role", "reader", [sa], ns="shop"),
        binding("RoleBinding", "app-views", "ClusterRole", "viewer", [sa], ns="shop"),
        binding("RoleBinding", "elsewhere", "Role", "reader", [sa], ns="other"),  # another namespace's app
        binding("RoleBinding", "missing", "Role", "gone", [{**sa, "namespace": "shop"}], ns="shop"),
    ]
    cluster_bindings = [
        binding("ClusterRoleBinding", "everyone", "ClusterRole", "discovery",
                [{"kind": "Group", "name": "system:authenticated"}]),
        binding("ClusterRoleBinding", "someone-else", "ClusterRole", "viewer",
                [{"kind": "ServiceAccount", "name": "app", "namespace": "other"}]),
    ]
    got = rbac.subject_grants("ServiceAccount", "shop", "app", roles=roles, cluster_roles=cluster_roles,
                              bindings=bindings, cluster_bindings=cluster_bindings)
    assert rows(got) == [
        ("shop", "configmaps", "core", "app-reads", "y.......", ""),
        ("shop", "pods", "core", "app-views", ".y......", ""),
        ("*", "/api", "", "everyone (system:authenticated)", "y.......", ""),
    ]
    lines = rbac.table(got, policy=True)
    # the verbs before BINDING: a binding named with its group is long, the ✓ and × stay in sight
    assert lines[0].split() == ["NAMESPACE", "NAME", "API-GROUP", *rbac.VERB_HEADER, "BINDING", "EXTRAS"]
    assert lines[1].split() == ["shop", "configmaps", "core", "✓", *"×" * 7, "app-reads"]
    assert rbac.subject_grants("User", "", "jane", roles=roles, cluster_roles=cluster_roles, bindings=bindings,
                               cluster_bindings=cluster_bindings) == []


def test_subject_rows_name_each_subject_once_at_its_first_binding_cluster_ones_first():
    from k9py.view.subjects import subject_cells, subject_rows

    def binding(kind, name, ns, *subjects):
        return {"kind": kind, "metadata": {"name": name, **({"namespace": ns} if ns else {})},
                "subjects": [{"kind": k, "name": n} for k, n in subjects]}
    crbs = [binding("ClusterRoleBinding", "z-admins", "", ("User", "bob"), ("Group", "ops")),
            binding("ClusterRoleBinding", "a-view", "", ("User", "carol"))]
    rbs = [binding("RoleBinding", "edit", "dev", ("User", "bob"), ("User", "dave"), ("ServiceAccount", "bot")),
           binding("RoleBinding", "broken", "dev", ("User", ""))]
    users = subject_rows("User", crbs, rbs)
    assert sorted(users) == [("", "bob"), ("", "carol"), ("", "dave")]
    assert subject_cells(users[("", "bob")], 0) == ["bob", "ClusterRoleBinding", "z-admins", ""]
    assert subject_cells(users[("", "dave")], 0) == ["dave", "RoleBinding", "edit", ""]
    assert list(subject_rows("Group", crbs, rbs)) == [("", "ops")]
