"""k9s keeps its header (the context, cluster, CPU and MEM, the view's keys, the logo) and its
crumbs over every view: xray, pulses, `:pf`, `:screendumps` and `:benchmarks` showed only a key
menu, so the context left the screen with them. ctrl-e and ctrl-g toggle them there as over the
table (the viewers' own: tests/ui/test_key_menus.py)."""

import pytest

from tests.ui.simcluster import command, run, settle, wears_chrome


@pytest.mark.parametrize("typed,crumb", [("xray dp", "xray"), ("pulses", "pulses"), ("pf", "portforwards"),
                                         ("sd", "screendumps"), ("bench", "benchmarks")])
def test_a_screen_wears_k9s_header_and_crumbs(typed, crumb):
    async def s(app, pilot, cluster):
        await command(app, pilot, typed)
        assert len(app.screen_stack) == 2
        await wears_chrome(pilot, app.screen, ["<pods>", f"<{crumb}>"])
    run(s, size=(160, 45))


def test_a_view_opened_from_another_names_both_in_the_crumbs():
    """k9s's crumbs are its page stack: a describe opened from xray showed `<pods> <describe>`,
    as if xray were not under it (esc goes back to xray)."""
    async def s(app, pilot, cluster):
        await command(app, pilot, "xray po")
        await pilot.press("j", "d")  # (the tree's first pod)
        await settle(app, pilot)
        assert len(app.screen_stack) == 3
        assert str(app.screen.query_one("#screen-crumbs").render()).split() == ["<pods>", "<xray>", "<describe>"]
        await pilot.press("escape")
        await settle(app, pilot)
        assert str(app.screen.query_one("#screen-crumbs").render()).split() == ["<pods>", "<xray>"]
    run(s, size=(160, 45))
