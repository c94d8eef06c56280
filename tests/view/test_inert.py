"""``view.inert``: what is painted never drives the terminal, and keeps its length."""

from k9py.view.inert import REPLACEMENT, encodable, inert, inert_line


def test_plain_text_is_returned_as_is():
    s = "nginx-7c5ddbdf54-abcde\tRunning"
    assert inert(s) is s
    assert inert("a\nb") == "a\nb"


def test_controls_become_one_visible_character_each():
    s = "a\x1b[2J\x00\x07\x7f\x9b\u202e\u200b\ufeff\u2066\ud800b"
    out = inert(s)
    assert len(out) == len(s)
    assert out == "a\u241b[2J\u2400\u2407\u2421" + REPLACEMENT * 6 + "b"


def test_one_line_keeps_no_newline_nor_tab():
    assert inert_line("a\nb\tc\r") == "a\u2424b c\u240d"
    assert inert("a\nb\tc\r") == "a\nb\tc\u240d"


def test_wide_and_markup_text_is_untouched():
    for s in ("中文字符テスト", "emoji 😀", "[bold]x[/]", "[@click=app.quit]x[/]", "e\u0301"):
        assert inert_line(s) == s


def test_encodable_replaces_only_lone_surrogates():
    s = "ok \x1b\u202e 😀"
    assert encodable(s) is s
    assert encodable("lone \ud800 one") == "lone \ufffd one"
