"""A view merging two live contexts (two `k9py serve` servers in one kubeconfig): one server
stopped mid-run is reported in the title while the other context's rows keep updating."""

from __future__ import annotations

import asyncio

import yaml

from k9py.backends.live import LiveBackend, LiveOptions
from k9py.explorer.merged import MergedView
from k9py.explorer.navigator import Navigator
from k9py.explorer.session import Session
from k9py.kube.kubeconfig import kubeconfig as kubeconfig_doc
from tests.backends.conftest import FAST, Server, small_cluster, truth
from tests.sim.helpers import pod_manifest

DEADLINE = 20.0


async def until(view: MergedView, pred, what: str) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE
    while not pred():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for: {what} (title {view.title()!r})")
        await asyncio.sleep(0.01)
        view.flush()


def test_a_stopped_server_is_reported_while_the_other_context_keeps_updating(tmp_path):
    one, two = Server(small_cluster(seed=1)), Server(small_cluster(seed=2))
    try:
        path = tmp_path / "kc.yaml"
        doc = kubeconfig_doc(one.handle.url, name="one")
        for k, v in kubeconfig_doc(two.handle.url, name="two").items():
            if k in ("clusters", "contexts", "users"):
                doc[k] += v
        path.write_text(yaml.safe_dump(doc))

        async def main() -> None:
            session = Session(LiveBackend(LiveOptions(kubeconfig=str(path), **FAST)), manual=True)
            nav = Navigator(session)
            out = nav.run("pods --contexts one,two")
            assert out.ok, out.message
            view = nav.current
            assert isinstance(view, MergedView)

            def shown(ctx: str) -> set[tuple[str, str]]:
                return {(k[0], k[1]) for k in view.model.rows if k[2] == ctx}
            try:
                await until(view, lambda: shown("one") == truth(one.handle, "Pod", "default") and
                            shown("two") == truth(two.handle, "Pod", "default") and shown("two"), "both contexts' pods")
                assert view.title().endswith("one ✓ two ✓")
                two.stop()
                await until(view, lambda: "two ✗" in view.title(), "two reported down")
                one.change(lambda c: c.create(pod_manifest("fresh", "nginx:1.14.2")))
                await until(view, lambda: ("default", "fresh") in shown("one"), "one's new pod")
                assert view.title().startswith("pods(default)") and "one ✓ two ✗" in view.title()
                assert shown("two")  # two's last rows stay
            finally:
                await view.aclose()
                await session.close()
        asyncio.run(asyncio.wait_for(main(), 60))
    finally:
        one.stop()
        two.stop()
