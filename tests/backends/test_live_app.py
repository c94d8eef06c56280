"""The explorer on the live backend, as a new user would try it: the app's pods view over
`k9py serve`, and a `kubectl scale` from elsewhere showing up in it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from k9py.backends.live import LiveBackend, LiveOptions
from k9py.ui.app import K9pyApp
from tests.backends.conftest import FAST, truth

KUBECTL = os.path.join(os.path.dirname(sys.executable), "kubectl")


async def _rows_until(app, pilot, pred, what, timeout=20.0):
    import asyncio
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        await app.pump()
        keys = set(app.model.rows) if app.model is not None else set()
        if pred(keys):
            return keys
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for: {what} (rows: {sorted(keys)})")
        await pilot.pause(0.02)


@pytest.mark.e2e
def test_pods_view_follows_kubectl_scale(server, kubeconfig, tmp_path):
    import asyncio

    async def main():
        app = K9pyApp(LiveBackend(LiveOptions(kubeconfig=kubeconfig, **FAST)), manual=True)
        async with app.run_test(size=(160, 40)) as pilot:
            want = truth(server.handle, "Pod", "default")
            await _rows_until(app, pilot, lambda k: k == want, "the server's pods")
            assert app.backend.info().backend == "live"
            env = {**os.environ, "KUBECONFIG": kubeconfig, "KUBECACHEDIR": str(tmp_path / "cache")}
            done = await asyncio.to_thread(subprocess.run, [KUBECTL, "scale", "deployment/web", "--replicas=4"],
                                           env=env, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
            assert done.stdout.strip() == "deployment.apps/web scaled"
            server.handle.advance(2)
            want = truth(server.handle, "Pod", "default")
            assert len(want) == 4
            await _rows_until(app, pilot, lambda k: k == want, "four pods")
    asyncio.run(asyncio.wait_for(main(), 90))
