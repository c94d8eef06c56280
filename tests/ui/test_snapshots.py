"""Screenshots of the main views (160x45, and the header and help at 80x24), on the sample cluster
with a frozen (manual) clock. Update with `pytest tests/ui/test_snapshots.py --snapshot-update` after a deliberate change."""

import pytest

from k9py.backends.sim import SimBackend
from k9py.ui.app import K9pyApp
from tests.samples import small_cluster

SIZE = (160, 45)


def make_app(**kw):
    return K9pyApp(SimBackend(small_cluster()), manual=True, **kw)


def before(*keys):
    async def run(pilot):
        app = pilot.app
        await app.pump()
        await pilot.pause()
        await app.refresh_metrics()
        if keys:
            await pilot.press(*keys)
            await app.pump()
            await pilot.pause()
        await app.refresh_metrics()  # the app polls metrics on a timer: here by hand
        await pilot.pause()
    return run


@pytest.mark.parametrize("command", ["pods", "deploy", "svc", "no", "pv", "pvc", "ns"])
def test_view_snapshot(snap_compare, command):
    assert snap_compare(make_app(), terminal_size=SIZE,
                        run_before=before("colon", *command, "enter"))


def test_all_namespaces_filtered_snapshot(snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before("0", "slash", *"nginx", "enter"))


def test_help_snapshot(snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before("question_mark"))


NARROW = (80, 24)


def test_header_and_pods_snapshot_80x24(snap_compare):
    """k9s at 80 columns: one line per header row, the logo and extra menu columns dropped."""
    assert snap_compare(make_app(), terminal_size=NARROW, run_before=before())


def test_help_snapshot_80x24(snap_compare):
    assert snap_compare(make_app(), terminal_size=NARROW, run_before=before("question_mark"))
