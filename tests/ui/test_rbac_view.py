"""enter on a Role, a binding or a ServiceAccount (k9s's rbac and policy views): the rules granted,
a resource a line with ✓ or × per verb; the menu says so."""

from k9py.config.user import load_user
from k9py.ui.screens.rbac import RbacScreen
from tests.ui.simcluster import command, goto, menu_text, run, settle


def objects(cluster):
    cluster.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot", "namespace": "default"}})
    cluster.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                    "metadata": {"name": "pod-reader", "namespace": "default"},
                    "rules": [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}]})
    cluster.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                    "metadata": {"name": "robot-reads-pods", "namespace": "default"},
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
                    "subjects": [{"kind": "ServiceAccount", "name": "robot", "namespace": "default"}]})


async def opened(app, pilot):
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await settle(app, pilot)
    assert isinstance(app.screen, RbacScreen)
    return app.screen


def test_enter_on_a_role_a_binding_and_a_service_account_shows_what_they_grant():
    async def s(app, pilot, cluster):
        objects(cluster)
        await settle(app, pilot)
        await command(app, pilot, "roles")
        assert "<enter> Rules" in " ".join(str(app.query_one("#header").render()).split())
        await goto(app, pilot, "pod-reader")
        screen = await opened(app, pilot)
        assert screen.title_text == "rbac(Role default/pod-reader)"
        assert [line.split() for line in screen.lines] == [
            ["NAME", "API-GROUP", "GET", "LIST", "WATCH", "CREATE", "PATCH", "UPDATE", "DELETE", "DEL-LIST", "EXTRAS"],
            ["pods", "core", "✓", "✓", "✓", "×", "×", "×", "×", "×"],
            ["pods/log", "core", "✓", "✓", "✓", "×", "×", "×", "×", "×"]]
        await pilot.press("escape")
        await command(app, pilot, "rolebindings")
        await goto(app, pilot, "robot-reads-pods")
        screen = await opened(app, pilot)
        assert screen.title_text == "rbac(RoleBinding default/robot-reads-pods) → Role pod-reader"
        assert [line.split()[0] for line in screen.lines[1:]] == ["pods", "pods/log"]
        await pilot.press("escape")
        await command(app, pilot, "sa")
        await goto(app, pilot, "robot")
        screen = await opened(app, pilot)
        assert screen.title_text == "policy(ServiceAccount default/robot)"
        own = [line.split() for line in screen.lines[1:] if "(" not in line]
        assert own == [["default", "pods", "core", *"✓✓✓×××××", "robot-reads-pods"],
                       ["default", "pods/log", "core", *"✓✓✓×××××", "robot-reads-pods"]]
        assert any("(system:authenticated)" in line for line in screen.lines)  # what every account may do, after
    run(s)


def test_a_binding_to_a_role_that_does_not_exist_says_so_and_grants_nothing():
    """It said 'cannot read RoleBinding dangling: roles... "gone" not found', as if the binding
    itself could not be read (the apiserver takes a binding to a missing role; it grants nothing)."""
    async def s(app, pilot, cluster):
        cluster.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                        "metadata": {"name": "dangling", "namespace": "default"},
                        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "gone"},
                        "subjects": [{"kind": "User", "name": "bob"}]})
        await settle(app, pilot)
        await command(app, pilot, "rolebindings")
        await goto(app, pilot, "dangling")
        screen = await opened(app, pilot)
        assert screen.title_text == "rbac(RoleBinding default/dangling) → Role gone"
        assert screen.lines[0].split()[:2] == ["NAME", "API-GROUP"]
        assert screen.lines[1:] == ["(Role default/gone does not exist: the binding grants nothing)"]
    run(s)


def test_ctrl_r_reads_the_rules_again():
    """The rules were read once when the screen opened: a role edited meanwhile (kubectl edit in
    another terminal) stayed as it was; ctrl-r (k9s's Refresh) did nothing. It reads them again,
    in the rbac view and in the policy view (a binding added meanwhile)."""
    async def s(app, pilot, cluster):
        objects(cluster)
        await settle(app, pilot)
        await command(app, pilot, "rolebindings")
        await goto(app, pilot, "robot-reads-pods")
        screen = await opened(app, pilot)
        assert [line.split()[0] for line in screen.lines[1:]] == ["pods", "pods/log"]
        role = cluster.get("Role", "default", "pod-reader")
        role["rules"] = [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]}]
        cluster.replace(role)
        await settle(app, pilot)
        assert [line.split()[0] for line in screen.lines[1:]] == ["pods", "pods/log"]
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert app.screen is screen
        assert [line.split()[:3] for line in screen.lines[1:]] == [["deployments", "apps", "✓"]]
        assert screen.title_text == "rbac(RoleBinding default/robot-reads-pods) → Role pod-reader"
        await pilot.press("escape")
        await command(app, pilot, "sa")
        await goto(app, pilot, "robot")
        screen = await opened(app, pilot)
        assert not any("edit-all" in line for line in screen.lines)
        cluster.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                        "metadata": {"name": "edit-all", "namespace": "default"},
                        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
                        "subjects": [{"kind": "ServiceAccount", "name": "robot", "namespace": "default"}]})
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert any("edit-all" in line for line in screen.lines)
    run(s)


def test_ctrl_r_is_the_users_search_there_when_keymap_yaml_says_so(monkeypatch, tmp_path):
    """A keymap.yaml written before the rbac view had a refresh key (`viewer.search: ctrl-r`)
    still loads: there ctrl-r searches as in every viewer; `refresh: f5` moves the refresh."""
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    (tmp_path / "keymap.yaml").write_text("keymap:\n  viewer.search: ctrl-r\n")
    user = load_user()
    user.persist = False

    async def s(app, pilot, cluster):
        objects(cluster)
        await settle(app, pilot)
        await command(app, pilot, "roles")
        await goto(app, pilot, "pod-reader")
        screen = await opened(app, pilot)
        menu = " ".join(menu_text(screen).split())
        assert "<ctrl-r> Search" in menu and "Refresh" not in menu
        await pilot.press("ctrl+r", *"log", "enter")
        await pilot.pause()
        assert screen.search_text == "log" and len(screen.matches) == 1
    run(s, user=user)
    (tmp_path / "keymap.yaml").write_text("keymap:\n  viewer.search: ctrl-r\n  refresh: f5\n")
    user = load_user()
    user.persist = False

    async def moved(app, pilot, cluster):
        objects(cluster)
        await settle(app, pilot)
        await command(app, pilot, "roles")
        await goto(app, pilot, "pod-reader")
        screen = await opened(app, pilot)
        assert "<f5> Refresh" in " ".join(menu_text(screen).split())
        role = cluster.get("Role", "default", "pod-reader")
        role["rules"] = [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]}]
        cluster.replace(role)
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert [line.split()[0] for line in screen.lines[1:]] == ["deployments"]
    run(moved, user=user)


def test_users_and_groups_list_the_subjects_bindings_name_and_enter_shows_their_policy():
    """k9s's `:users` (`usr`) and `:groups` (`grp`): a row a subject, where it is first bound;
    enter: everything its bindings grant it, and the list follows the bindings."""
    async def s(app, pilot, cluster):
        objects(cluster)
        cluster.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                        "metadata": {"name": "alice-reads-pods", "namespace": "default"},
                        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
                        "subjects": [{"kind": "User", "name": "alice@example.com"},
                                     {"kind": "Group", "name": "readers"}]})
        await settle(app, pilot)
        await command(app, pilot, "usr")
        assert app.current.title().startswith("users(all)[")
        assert [c.name for c in app.model.columns] == ["NAME", "KIND", "FIRST LOCATION"]
        rows = {app.model.row_at(i).key[1]: app.model.cells(app.model.row_at(i)) for i in range(len(app.model))}
        assert rows["alice@example.com"] == ("alice@example.com", "RoleBinding", "alice-reads-pods")
        assert "readers" not in rows and "robot" not in rows  # a group, a service account: not users
        await goto(app, pilot, "alice@example.com")
        screen = await opened(app, pilot)
        assert screen.title_text == "policy(User alice@example.com)"
        assert [line.split() for line in screen.lines[1:]] == [
            ["default", "pods", "core", *"✓✓✓×××××", "alice-reads-pods"],
            ["default", "pods/log", "core", *"✓✓✓×××××", "alice-reads-pods"]]
        await pilot.press("escape")
        await command(app, pilot, "groups")
        names = [app.model.row_at(i).key[1] for i in range(len(app.model))]
        assert "readers" in names and "system:masters" in names
        await goto(app, pilot, "system:masters")
        screen = await opened(app, pilot)
        assert screen.title_text == "policy(Group system:masters)" and "cluster-admin" in screen.lines[1]
        await pilot.press("escape")
        cluster.store.delete("RoleBinding", "default", "alice-reads-pods")
        await settle(app, pilot)
        assert "readers" not in [app.model.row_at(i).key[1] for i in range(len(app.model))]
    run(s)
