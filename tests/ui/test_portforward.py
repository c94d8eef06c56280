"""`shift-f`, the PF column and `:pf`, driven as a person would: on the simulator in this process
and on a live cluster (`k9py serve` reached through the real kubectl's port-forward). Each
forward is checked by a real HTTP request on its loopback port, seen in the pod's log."""

from __future__ import annotations

import asyncio
import urllib.error

from k9py.backends.live import LiveBackend, LiveOptions
from k9py.explorer.portforward import Forward
from k9py.sim.logs import instance_logs
from k9py.ui.app import K9pyApp
from k9py.ui.screens.dialogs import ConfirmScreen
from k9py.ui.screens.portforwards import COLUMNS, PortForwardDialog, PortForwardsScreen, table_lines
from tests.backends.conftest import FAST, kubeconfig, server  # noqa: F401
from tests.explorer.test_portforward import get
from tests.sim.helpers import pod_manifest
from tests.ui.simcluster import border_text, command, flash, goto, run, settle

DEADLINE = 30.0


async def until(app, pilot, pred, what: str):
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE
    while not (value := pred()):
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what} (flash {flash(app)!r})")
        await app.pump()
        await pilot.pause(0.02)
    return value


def access_lines(cluster, pod: str, container: str, agent: str = "Python-urllib") -> list[str]:
    with cluster.lock:
        obj = cluster.store.get("Pod", "default", pod)
        st = next(s for s in obj["status"]["containerStatuses"] if s["name"] == container)
        lines, _ = instance_logs(cluster, "default", pod, container, st["containerID"])
    return [ln for ln in lines if agent in ln]


def pf_cell(app, name: str) -> str:
    m = app.model
    row = next(r for r in m.rows.values() if r.key[1] == name)
    return m.cells(row)[m.col_index("PF")]


def field_values(app) -> tuple[str, str, str]:
    d = app.screen
    assert isinstance(d, PortForwardDialog)
    return tuple(d.query_one(f"#pf-{n}").value for n in ("container", "local", "address"))  # type: ignore[return-value]


async def set_field(app, pilot, name: str, value: str) -> None:
    box = app.screen.query_one(f"#pf-{name}")
    box.value = value
    await pilot.pause()


async def forward_with_dialog(app, pilot, local: str = "0") -> Forward:
    """Press shift-f, forward nginx::80 on any free local port, wait for it."""
    await pilot.press("F")
    await until(app, pilot, lambda: isinstance(app.screen, PortForwardDialog), "the dialog")
    await set_field(app, pilot, "container", "nginx::80")
    await set_field(app, pilot, "local", local)
    await pilot.press("enter")
    return await until(app, pilot, lambda: next(iter(app.session.forwards.list()), None), "the forward")


def first_nginx(app) -> str:
    return sorted(k[1] for k in app.model.rows if k[1].startswith("nginx-deployment"))[0]


# -- the simulator ----------------------------------------------------------------------------------------
def test_shift_f_forwards_a_pod_port_and_pf_lists_and_stops_it():
    async def s(app, pilot, cluster):
        name = first_nginx(app)
        await goto(app, pilot, name)
        assert pf_cell(app, name) == "●"
        await pilot.press("F")
        await settle(app, pilot)
        assert field_values(app) == ("nginx::80", "8080", "localhost")  # k9s's offer; 80 needs root: 8080
        await set_field(app, pilot, "local", "0")
        await pilot.press("enter")
        fwd = await until(app, pilot, lambda: next(iter(app.session.forwards.list()), None), "the forward")
        await settle(app, pilot)
        assert flash(app) == f"Forwarding {fwd.url} → default/{name} nginx::80"
        assert pf_cell(app, name) == "Ⓕ" and pf_cell(app, first_nginx(app)) == "Ⓕ"
        others = [k[1] for k in app.model.rows if k[1] != name]
        assert all(pf_cell(app, o) == "●" for o in others)

        status, body = await asyncio.to_thread(get, fwd.url + "/")
        assert status == 200 and b"Welcome to nginx!" in body
        assert len(access_lines(cluster, name, "nginx")) == 1  # the request is in that pod's log
        assert fwd.wait_idle(10)

        await command(app, pilot, "pf")
        pf = app.screen
        assert isinstance(pf, PortForwardsScreen)
        pf.reload()
        header = str(pf.query_one("#pf-header").render())
        line = str(pf.options.get_option_at_index(0).prompt)
        assert header.split() == ["NAMESPACE", "NAME", "CONTAINER", "PORTS", "URL", "CONN", "ACTIVE", "IN", "OUT", "AGE"]
        cells = line.split()
        assert cells[:5] == ["default", name, "nginx", f"{fwd.local_port}:80", fwd.url]
        assert cells[5:7] == ["1", "0"] and int(cells[8].replace(".", "").rstrip("Ki")) > 0  # one connection, bytes back

        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.session.forwards.list() == [] and pf.shown == []
        assert str(pf.query_one("#pf-flash").render()) == \
            f"Stopped port-forward default/{name} nginx::80 ({fwd.url})"
        await pilot.press("escape")
        await settle(app, pilot)
        app.pane.tick()
        assert pf_cell(app, name) == "●"
        try:
            await asyncio.to_thread(get, fwd.url)
        except (urllib.error.URLError, ConnectionError):
            pass
        else:
            raise AssertionError("the stopped forward still answers")
    run(s)


def test_shift_f_on_a_service_or_deployment_forwards_to_one_of_its_running_pods():
    """k9s's PortForwardExtender: a service's, deployment's, statefulset's or daemonset's shift-f is
    the dialog of one of its pods (a running, ready one, as kubectl port-forward svc/x picks)."""
    async def s(app, pilot, cluster):
        cluster.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web-svc", "namespace": "default"},
                        "spec": {"selector": {"app": "nginx"}, "ports": [{"port": 80, "targetPort": 80}]}})
        cluster.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "external", "namespace": "default"},
                        "spec": {"type": "ExternalName", "externalName": "example.com"}})
        cluster.create(pod_manifest("a-stuck", "nginx:1.14.2", labels={"app": "nginx"}, nodeName="nowhere"))
        await settle(app, pilot, 5)
        running = sorted(p["metadata"]["name"] for p in cluster.store.list("Pod", "default")
                         if p["metadata"]["name"].startswith("nginx-deployment"))
        await command(app, pilot, "svc")
        await goto(app, pilot, "web-svc")
        await pilot.press("F")
        await until(app, pilot, lambda: isinstance(app.screen, PortForwardDialog), "the dialog")
        assert app.screen._message.startswith(f"default/{running[0]}")  # not a-stuck, first by name but never running
        await set_field(app, pilot, "local", "0")
        await pilot.press("enter")
        fwd = await until(app, pilot, lambda: next(iter(app.session.forwards.list()), None), "the forward")
        status, body = await asyncio.to_thread(get, fwd.url + "/")
        assert status == 200 and b"Welcome to nginx!" in body
        await goto(app, pilot, "external")
        await pilot.press("F")
        await settle(app, pilot)
        assert not isinstance(app.screen, PortForwardDialog)
        assert "external" in flash(app) and "without a selector" in flash(app)
        await command(app, pilot, "deploy")
        await goto(app, pilot, "nginx-deployment")
        await pilot.press("F")
        await until(app, pilot, lambda: isinstance(app.screen, PortForwardDialog), "the dialog")
        assert app.screen._message.startswith(f"default/{running[0]}")
        await pilot.press("escape")
    run(s)


def test_f_shows_the_forwards_of_the_rows_pod_or_of_a_deployments_pods():
    """k9s's `f` (Show PortForward): `:pf` with only that pod's forwards; none: the flash says so."""
    async def s(app, pilot, cluster):
        name = first_nginx(app)
        await goto(app, pilot, name)
        fwd = await forward_with_dialog(app, pilot)
        await settle(app, pilot)
        await goto(app, pilot, "counter")
        await pilot.press("f")
        await settle(app, pilot)
        assert not isinstance(app.screen, PortForwardsScreen)
        assert flash(app) == "no port-forward defined for default/counter"
        await goto(app, pilot, name)
        await pilot.press("f")
        await settle(app, pilot)
        pf = app.screen
        assert isinstance(pf, PortForwardsScreen) and pf.shown == [fwd.key]
        assert border_text(pf.query_one("#pf-box")).strip() == f"portforwards(default/{name})[1]"
        await pilot.press("escape")
        await command(app, pilot, "deploy")
        await goto(app, pilot, "nginx-deployment")
        await pilot.press("f")
        await until(app, pilot, lambda: isinstance(app.screen, PortForwardsScreen), "the forwards")
        assert app.screen.shown == [fwd.key]
        fwd.stop()
    run(s)


def test_a_forward_whose_pod_is_deleted_ends_with_a_word_in_the_flash():
    async def s(app, pilot, cluster):
        name = first_nginx(app)
        await goto(app, pilot, name)
        fwd = await forward_with_dialog(app, pilot)
        app.reap_forwards()  # (the app's tick; none in these tests)
        assert app.session.forwards.list() == [fwd]
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot, 40)  # its grace period: the pod is gone
        assert cluster.store.get("Pod", "default", name) is None
        app.reap_forwards()
        await pilot.pause()
        assert app.session.forwards.list() == [] and fwd.stopped
        assert flash(app) == f"port-forward default/{name} {fwd.ports} ended: lost connection to pod (the pod is gone)"
        assert all(pf_cell(app, k[1]) == "●" for k in app.model.rows)
    run(s)


def test_a_forward_ends_with_its_pod_while_the_past_is_shown(tmp_path):
    """In the past (`:rewind`) the forwards are the present's: they end with their pod too."""
    from k9py.store.history import History

    async def s(app, pilot, cluster):
        name = first_nginx(app)
        await goto(app, pilot, name)
        fwd = await forward_with_dialog(app, pilot)
        await settle(app, pilot, 20)
        await command(app, pilot, "rewind 10s")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        present = app.session.present
        assert present is not None and present.forwards.list() == [fwd]
        cluster.delete("Pod", "default", name, grace_period=0)
        await settle(app, pilot)
        app.reap_forwards()
        assert present.forwards.list() == [] and fwd.stopped and "ended: lost connection to pod" in flash(app)
    run(s, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


def test_shift_f_on_a_container_row_offers_that_containers_port():
    """enter on a pod, then shift-f on its container: the container's declared port, as on the pod
    row (the dialog looked the row's POD/CONTAINER key up as the container and offered nothing)."""
    async def s(app, pilot, cluster):
        name = first_nginx(app)
        await goto(app, pilot, name)
        await pilot.press("enter")
        await settle(app, pilot)
        await goto(app, pilot, f"{name}/nginx")
        await pilot.press("F")
        await settle(app, pilot)
        assert field_values(app) == ("nginx::80", "8080", "localhost")
    run(s)


def test_shift_f_on_a_container_row_and_a_pod_without_declared_ports():
    async def s(app, pilot, cluster):
        await goto(app, pilot, "web")  # nginx + sidecar, no ports declared
        await pilot.press("F")
        await settle(app, pilot)
        assert field_values(app) == ("", "", "localhost")
        assert "The pod declares no ports: type CONTAINER::PORT" in str(app.screen.query_one(".dialog-message").render())
        await set_field(app, pilot, "container", "nginx::80")
        assert field_values(app)[1] == "8080"  # the local port follows what is typed (k9s)
        await pilot.press("escape")
        await settle(app, pilot)

        await pilot.press("enter")  # the containers of web
        await settle(app, pilot)
        await goto(app, pilot, "web/nginx")
        await pilot.press("F")
        await settle(app, pilot)
        await set_field(app, pilot, "container", "nginx::80")
        await set_field(app, pilot, "local", "0")
        await pilot.press("enter")
        fwd = await until(app, pilot, lambda: next(iter(app.session.forwards.list()), None), "the forward")
        assert (fwd.pod, fwd.container, fwd.port) == ("web", "nginx", 80)
        await settle(app, pilot)
        assert pf_cell(app, "web/nginx") == "Ⓕ" and pf_cell(app, "web/sidecar") == "●"
        assert (await asyncio.to_thread(get, fwd.url))[0] == 200
        assert len(access_lines(cluster, "web", "nginx")) == 1
    run(s)


def test_bad_input_is_said_in_the_dialog_or_the_flash():
    async def s(app, pilot, cluster):
        name = first_nginx(app)
        await goto(app, pilot, name)
        await pilot.press("F")
        await settle(app, pilot)
        message = app.screen.query_one(".dialog-message")
        for typed, said in (("nginx::81", "container port: nginx does not expose port 81 (it exposes 80/TCP)"),
                            ("ngnix::80", "container port: no container named 'ngnix' (the pod has nginx)")):
            await set_field(app, pilot, "container", typed)
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, PortForwardDialog) and str(message.render()) == said
        await set_field(app, pilot, "container", "nginx::80")
        await set_field(app, pilot, "address", "my-laptop")
        await pilot.press("enter")
        await settle(app, pilot)
        assert str(message.render()) == "address: 'my-laptop' is not an IP address or localhost"
        await set_field(app, pilot, "address", "localhost")
        for local in ("", " ", "8080,"):  # k9s: a cleared Local Port is refused, not filled with the offered one
            await set_field(app, pilot, "local", local)
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, PortForwardDialog) and not app.session.forwards.list()
            assert str(message.render()) == "container to local port mismatch: give a local port (0: any free one)"
        await set_field(app, pilot, "local", "0")
        await pilot.press("enter")
        fwd = await until(app, pilot, lambda: next(iter(app.session.forwards.list()), None), "the forward")

        await pilot.press("F")  # the same port again, on the port the first one holds
        await settle(app, pilot)
        await set_field(app, pilot, "local", str(fwd.local_port))
        await pilot.press("enter")
        await until(app, pilot, lambda: "already forwarded" in flash(app), "the refusal")
        assert flash(app) == f"port-forward default/{name}: default/{name} nginx::80 is already forwarded to {fwd.url}"

        cluster.create(pod_manifest("stuck", "nginx", nodeSelector={"nope": "x"}))
        await settle(app, pilot, 5)
        await goto(app, pilot, "stuck")
        await pilot.press("F")
        await settle(app, pilot)
        assert flash(app) == "port-forward default/stuck: the pod is not running (Pending)"
        assert len(app.screen_stack) == 1
    run(s)


def test_port_forward_is_refused_read_only():
    async def s(app, pilot, cluster):
        await goto(app, pilot, first_nginx(app))
        await pilot.press("F")
        await settle(app, pilot)
        assert flash(app) == "Port-Forward refused: k9py is in read-only mode" and len(app.screen_stack) == 1
    run(s, readonly=True)


def test_pf_with_nothing_forwarded_says_how_to_start_one():
    async def s(app, pilot, cluster):
        await command(app, pilot, "portforwards")
        assert isinstance(app.screen, PortForwardsScreen)
        assert str(app.screen.query_one("#pf-flash").render()) == \
            "no active port-forwards (shift-f on a pod or container starts one)"
    run(s)


# -- a live cluster: `k9py serve` through the real kubectl --------------------------------------------------
def test_live_shift_f_runs_kubectl_port_forward(server, kubeconfig):
    async def main():
        app = K9pyApp(LiveBackend(LiveOptions(kubeconfig=kubeconfig, **FAST)), manual=True)
        async with app.run_test(size=(160, 45)) as pilot:
            await until(app, pilot, lambda: app.model is not None and len(app.model.rows) >= 2, "the pods")
            name = sorted(k[1] for k in app.model.rows)[0]
            await goto(app, pilot, name)
            fwd = await forward_with_dialog(app, pilot)
            assert fwd.container == "nginx" and fwd.port == 80
            status, body = await asyncio.to_thread(get, fwd.url + "/")
            assert status == 200 and b"Welcome to nginx!" in body
            assert len(access_lines(server.handle.cluster, name, "nginx")) == 1
            assert fwd.wait_idle(10) and fwd.snapshot().bytes_out > len(body)
            await until(app, pilot, lambda: flash(app) == f"Forwarding {fwd.url} → default/{name} nginx::80", "flash")
            app.forwards_changed()
            assert pf_cell(app, name) == "Ⓕ"
            tunnel = fwd.tunnel
            app.session.forwards.stop(fwd.key)
            assert tunnel.proc.poll() is not None  # type: ignore[attr-defined]  # kubectl went with it

            # a forward whose pod is deleted: kubectl port-forward exits, the forward ends
            fwd = await forward_with_dialog(app, pilot)
            cluster = server.handle.cluster
            with cluster.lock:
                cluster.delete("Pod", "default", name, grace_period=0)
            await until(app, pilot, lambda: fwd.tunnel.ended(), "kubectl port-forward to exit")
            app.reap_forwards()
            await pilot.pause()
            assert app.session.forwards.list() == [] and fwd.stopped
            assert flash(app) == f"port-forward default/{name} {fwd.ports} ended: lost connection to pod"
    asyncio.run(asyncio.wait_for(main(), 120))


def test_a_narrow_pf_view_keeps_the_url_and_the_traffic():
    row = ("default", "nginx-deployment-7f4d79f7d7-7zd6r", "nginx", "8080:80", "http://localhost:8080",
           "1", "0", "78", "755", "4s")
    wide = table_lines([row], 160)
    assert wide[0].split() == list(COLUMNS[:-1]) and wide[1].split() == list(row)  # BENCH: only while one runs
    running = table_lines([(*row, "37/200")], 160)
    assert running[0].split() == list(COLUMNS) and running[1].split()[-1] == "37/200"
    narrow_running = table_lines([(*row, "37/200")], 76)  # the progress stays on a narrow screen
    assert narrow_running[0].split() == ["NAME", "CONTAINER", "PORTS", "URL", "CONN", "BENCH"]
    assert narrow_running[1].split()[-1] == "37/200" and all(len(line) <= 76 for line in narrow_running)
    narrow = table_lines([row], 76)
    assert all(len(line) <= 76 for line in narrow)
    assert narrow[0].split() == ["NAME", "CONTAINER", "PORTS", "URL", "CONN", "IN", "OUT", "AGE"]
    assert narrow[1].split() == ["nginx-…-7zd6r", "nginx", "8080:80", "http://localhost:8080", "1", "78", "755", "4s"]
    # two pods of one deployment stay told apart: a name keeps its end (it was cut off)
    other = (row[0], "nginx-deployment-7f4d79f7d7-q2xbn", *row[2:])
    names = [line.split()[0] for line in table_lines([row, other], 76)[1:]]
    assert names == ["nginx-…-7zd6r", "nginx-…-q2xbn"]
    assert all(len(line) <= 30 and line.endswith("…") for line in table_lines([row], 30))


def test_keys_typed_in_one_burst_edit_the_dialog_in_order():
    """tab, ctrl-u, 0, 1 arriving together (a fast typist, a paste): the focus moves with the tab
    and ctrl-u clears before the digits land, as when typed one by one."""
    from textual import events

    async def s(app, pilot, cluster):
        await goto(app, pilot, first_nginx(app))
        await pilot.press("F")
        await settle(app, pilot)
        for key, char in (("tab", "\t"), ("ctrl+u", "\x15"), ("1", "1"), ("backspace", "\x7f"), ("0", "0")):
            app.post_message(events.Key(key, char))
        await settle(app, pilot)
        assert field_values(app) == ("nginx::80", "0", "localhost")
        for key, char in (("shift+tab", None), ("ctrl+u", "\x15"), *((c, c) for c in "nginx::81")):
            app.post_message(events.Key(key, char))
        await settle(app, pilot)
        assert field_values(app) == ("nginx::81", "0", "localhost")
    run(s)


def test_the_dialogs_address_is_config_yamls_port_forward_address():
    """k9s's portForwardAddress (0.0.0.0 to reach the forward from another machine) was accepted
    and ignored: the dialog always offered localhost. It offers the configured address."""
    from k9py.config.settings import Settings
    from k9py.config.user import UserConfig

    async def s(app, pilot, cluster):
        await goto(app, pilot, first_nginx(app))
        await pilot.press("F")
        await until(app, pilot, lambda: isinstance(app.screen, PortForwardDialog), "the dialog")
        assert field_values(app)[2] == "127.0.0.1"
    run(s, user=UserConfig(settings=Settings(port_forward_address="127.0.0.1")))


class _Listed:
    """Forwards as the :pf view reads them (``list``), none listening."""

    def __init__(self, items):
        self.items = items

    def list(self):
        return sorted(self.items, key=lambda f: f.key)


def test_pf_sorts_by_name_age_ports_and_url_with_k9s_shift_keys():
    """k9s's :pf binds shift-n/shift-a (name, age) and shift-p/shift-u (ports, url): a key sorts by
    its column, again the other way; the header marks it and the cursor stays on its forward."""
    async def s(app, pilot, cluster):
        fwds = [Forward("default", pod, "nginx", 80, "localhost", None, local_port=lp, started=t)  # type: ignore[arg-type]
                for pod, lp, t in (("web-b", 9090, 100.0), ("web-a", 10080, 300.0), ("web-c", 8080, 200.0))]
        pf = PortForwardsScreen(_Listed(fwds), now=400.0)
        app.push_screen(pf)
        await settle(app, pilot)

        def pods():
            return [k[1] for k in pf.shown]

        def header():
            return str(pf.query_one("#pf-header").render()).split()
        assert pods() == ["web-a", "web-b", "web-c"]
        await pilot.press("P")
        assert pods() == ["web-c", "web-b", "web-a"] and "PORTS↑" in header()  # 8080 < 9090 < 10080
        await pilot.press("P")
        assert pods() == ["web-a", "web-b", "web-c"] and "PORTS↓" in header()
        await pilot.press("A")
        assert pods() == ["web-a", "web-c", "web-b"] and "AGE↑" in header()  # the youngest first
        await pilot.press("U")
        assert pods() == ["web-c", "web-b", "web-a"] and "URL↑" in header()
        assert pf.shown[pf.options.highlighted][1] == "web-a"  # the cursor follows its forward
        await pilot.press("k")
        assert pf.shown[pf.options.highlighted][1] == "web-b"
        await pilot.press("N")
        assert pods() == ["web-a", "web-b", "web-c"] and "NAME↑" in header()
        assert pf.shown[pf.options.highlighted][1] == "web-b"  # the cursor kept its forward
        await pilot.press("N")
        assert pods() == ["web-c", "web-b", "web-a"] and "NAME↓" in header()
        hints = [h.description for _, section in pf.help_sections() for h in section]
        assert {"Sort Name", "Sort Age", "Sort Ports", "Sort URL"} <= set(hints)
    run(s)
