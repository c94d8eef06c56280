"""Painting leaves no cyclic garbage (k9py.ui.strip_cycles): Textual caches a strip's crops in
the strip, and the whole-strip crop the compositor asks for on nearly every line was the strip
itself, cached in itself. Every frame then left strips for the cyclic collector to free."""

import gc

from rich.segment import Segment
from textual.strip import Strip


def test_a_whole_strip_crop_or_division_is_the_strip_and_never_cached_in_it():
    import k9py.ui.app  # noqa: F401  (installs the fix)

    strip = Strip([Segment("web-7f9c "), Segment("Running")])
    refs = gc.get_referrers(strip)
    assert strip.crop_extend(0, strip.cell_length, None) is strip
    assert strip.divide([strip.cell_length]) == [strip]
    assert gc.get_referrers(strip) == refs  # nothing of its own holds it
    part = strip.crop_extend(0, 3, None)  # a real crop is cached as before
    assert part.text == "web" and strip.crop_extend(0, 3, None) is part
    assert [s.text for s in strip.divide([3, strip.cell_length])] == ["web", "-7f9c Running"]


def test_painting_frames_leaves_no_strip_for_the_cyclic_collector(drive):
    async def s(app, pilot, cluster):
        await pilot.pause()
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for key in "jjkk":
                await pilot.press(key)
                await pilot.pause()
            app.run_command("deploy")
            await pilot.pause()
            assert app.table.paints > 0
            gc.collect()
            strips = sum(1 for o in gc.garbage if isinstance(o, Strip))
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        assert strips == 0
    drive(s)
