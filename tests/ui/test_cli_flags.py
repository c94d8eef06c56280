"""k9s's command-line flags, parsed by k9py.cli and applied to the explorer (-n, -A, -c,
--readonly, --logoless, --headless)."""

import asyncio

import pytest

from k9py.backends.sim import SimBackend
from k9py.cli import build_parser, main
from k9py.ui.launch import build_app
from k9py.ui.widgets.header import LOGO
from tests.samples import small_cluster
from tests.ui.conftest import SIZE, sync


def run_app(argv, scenario):
    cluster = small_cluster()
    app = build_app(build_parser().parse_args(argv), SimBackend(cluster), manual=True)

    async def go():
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            await scenario(app, pilot, cluster)
    asyncio.run(go())


def header(app):
    return str(app.query_one("#header").render())


def test_defaults_pods_in_default_with_logo_and_header():
    async def s(app, pilot, cluster):
        assert app.title_text() == "pods(default)[5]"
        assert app.query_one("#header").display and LOGO[0].strip() in header(app)
        assert not app.backend.info().read_only
    run_app([], s)


def test_namespace_flag():
    async def s(app, pilot, cluster):
        assert app.title_text() == "pods(kube-system)[2]"
        assert app.navigator.favorites[0] == "kube-system"
    run_app(["-n", "kube-system"], s)


def test_all_namespaces_flag():
    async def s(app, pilot, cluster):
        assert app.title_text() == "pods(all)[7]"
    run_app(["-A"], s)


@pytest.mark.parametrize("argv,title", [
    (["-c", "deploy"], "deployments(default)[1]"),
    (["-c", "svc", "-n", "kube-system"], "services(kube-system)[0]"),
    (["--command", "no"], "nodes(all)[3]"),
    (["-c", "po /nginx"], "pods(default)[3] </nginx>"),
    (["-A", "-c", "deploy"], "deployments(all)[1]"),
])
def test_start_view_flag(argv, title):
    async def s(app, pilot, cluster):
        assert app.title_text() == title
    run_app(argv, s)


def test_readonly_flag_refuses_changes():
    async def s(app, pilot, cluster):
        assert app.backend.info().read_only and "[readonly]" in header(app)
        try:
            await app.backend.delete("Pod", "default", "counter")
        except Exception as err:
            assert "read-only" in str(err)
        else:
            raise AssertionError("delete went through in read-only mode")
        assert cluster.store.get("Pod", "default", "counter")["metadata"].get("deletionTimestamp") is None
    run_app(["--readonly"], s)


def test_logoless_flag():
    async def s(app, pilot, cluster):
        assert app.query_one("#header").display
        assert LOGO[1].strip() not in header(app) and "Context:" in header(app)
    run_app(["--logoless"], s)


def test_headless_flag():
    async def s(app, pilot, cluster):
        assert not app.query_one("#header").display
        await pilot.press("ctrl+e")  # ctrl-e brings it back
        assert app.query_one("#header").display
    run_app(["--headless"], s)


def test_unknown_start_view_is_a_one_line_error(capsys):
    assert main(["-c", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("k9py: ") and "unknown view 'nope'" in err and err.count("\n") == 1


@pytest.mark.parametrize("fails,status", [(False, 0), (True, 1)], ids=["quits", "fails"])
def test_the_explorers_exit_status_says_whether_the_app_failed(monkeypatch, fails, status):
    """Textual prints why the app failed; the command's exit status says so too (it was 0)."""
    from k9py.ui import launch
    from k9py.ui.app import K9pyApp

    class Once(K9pyApp):
        async def on_mount(self) -> None:
            if fails:
                raise RuntimeError("a malformed object the app could not show")
            self.exit()

        def run(self, **kw):  # type: ignore[override]  # headless: a test has no terminal
            return super().run(headless=True, **kw)

    monkeypatch.setattr(launch, "build_app", lambda *a, **kw: Once(SimBackend(small_cluster()), manual=True))
    monkeypatch.setattr(launch, "terminal_file", lambda: None)
    monkeypatch.setattr(launch.keyinput, "key_driver", lambda: None)
    monkeypatch.setattr(launch.keyinput, "install", lambda: False)
    assert launch.run_explorer(build_parser().parse_args([])) == status


@pytest.mark.parametrize("command,screen", [("pulses", "PulsesScreen"), ("xray dp", "XrayScreen")])
def test_c_opens_a_screen_over_pods_as_k9s_does(command, screen):
    """`k9py -c pulses`, `-c xray dp`: k9s's -c takes any command; the screen opens over pods."""
    async def s(app, pilot, cluster):
        await sync(app, pilot)
        assert type(app.screen).__name__ == screen
        await pilot.press("escape")
        await sync(app, pilot)
        assert app.title_text() == "pods(default)[5]"
    run_app(["-c", command], s)


def test_c_with_a_word_no_kind_answers_to_is_refused_without_a_live_cluster(capsys):
    """A live cluster's discovery may serve `crontabs` (it opens once discovery says so); the
    simulator's kinds are known: exit 2 at once."""
    assert main(["-c", "crontabs"]) == 2
    assert "unknown view 'crontabs'" in capsys.readouterr().err
