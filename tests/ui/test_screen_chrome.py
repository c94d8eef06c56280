"""k9s keeps its header (the context, cluster, CPU and MEM, the view's keys, the logo) and its
crumbs over every view: xray, pulses, `:pf`, `:screendumps` and `:benchmarks` showed only a key
menu, so the context left the screen with them. ctrl-e and ctrl-g toggle them there as over the
table (the viewers' own: tests/ui/test_key_menus.py)."""

import pytest

from tests.ui.simcluster import command, run, wears_chrome


@pytest.mark.parametrize("typed,crumb", [("xray dp", "xray"), ("pulses", "pulses"), ("pf", "portforwards"),
                                         ("sd", "screendumps"), ("bench", "benchmarks")])
def test_a_screen_wears_k9s_header_and_crumbs(typed, crumb):
    async def s(app, pilot, cluster):
        await command(app, pilot, typed)
        assert len(app.screen_stack) == 2
        await wears_chrome(pilot, app.screen, ["<pods>", f"<{crumb}>"])
    run(s, size=(160, 45))
