"""keymap.yaml: every built-in action by a stable id, rebound or unbound; each problem one line
with its file and line; conflicts only where both actions work (the kind registry says where)."""

import re
from pathlib import Path

import pytest

from k9py.config import keymap
from k9py.config.keymap import DEFAULTS, UNBOUND_BY_DEFAULT, Claim, Keymap, conflicts
from k9py.config.yamlfile import ConfigError
from k9py.explorer import keys as row_keys
from k9py.ui import keymap as ui_keymap
from k9py.ui.screens import keys as screen_keys
from k9py.view.kinds import VIEWS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "keys.md"

MINE = """\
# ~/.config/k9py/keymap.yaml: ctrl-d and ctrl-a belong to tmux here
keymap:
  delete: ctrl-x
  kill: null
  describe: [d, F4]
  aliases: Ctrl-O
  history_last: ""
  scale: x            # x decodes secrets, which cannot be scaled: no clash
"""


def load(tmp_path, text):
    f = tmp_path / "keymap.yaml"
    f.write_text(text)
    return f, keymap.load(f)


def error(tmp_path, text):
    f = tmp_path / "keymap.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        keymap.load(f)
    assert "\n" not in str(err.value)
    return f, err.value


def test_a_users_keymap_rebinds_and_unbinds(tmp_path):
    _, km = load(tmp_path, MINE)
    assert km.keys("delete") == ("ctrl+x",) and km.keys("kill") == () and km.keys("history_last") == ()
    assert km.keys("describe") == ("d", "f4") and km.keys("aliases") == ("ctrl+o",)
    assert km.keys("yaml") == ("y",)  # untouched: k9s's
    assert km.label("delete") == "<ctrl-x>" and km.label("kill") is None
    assert km.label("command", "<:cmd>") == "<:cmd>"  # a default keeps its own label
    assert km.where["delete"][1] == 3


def test_an_empty_file_and_an_empty_keymap_change_nothing(tmp_path):
    assert load(tmp_path, "")[1].overrides == {}
    assert load(tmp_path, "keymap:\n")[1].overrides == {}


def test_k9s_defaults_have_no_conflict_and_every_id_is_bound():
    assert conflicts(Keymap()) == []
    assert all(DEFAULTS[a] for a in DEFAULTS if a not in UNBOUND_BY_DEFAULT)
    assert all(not DEFAULTS[a] for a in UNBOUND_BY_DEFAULT)


@pytest.mark.parametrize(("text", "line", "words"), [
    ("keymap:\n  delet: ctrl-x\n", 2, "keymap.delet: unknown action; did you mean delete?"),
    ("keymap:\n  bogus_thing: ctrl-x\n", 2, "keymap.bogus_thing: unknown action (the ids are listed in docs/keys.md)"),
    ("keymap:\n  escape: ctrl-x\n", 2, "esc is k9py's back key"),
    ("keymap:\n  delete: ctrl-foo\n", 2, "keymap.delete: 'ctrl-foo': unknown key 'foo'"),
    ("keymap:\n  delete:\n    - ctrl-x\n    - hyper-x\n", 4, "keymap.delete[1]: 'hyper-x': unknown modifier 'hyper'"),
    ("keymap:\n  delete: {key: ctrl-x}\n", 2, "keymap.delete: must be a key or a list of keys, not a mapping"),
    ("keymap:\n  delete: [true]\n", 2, "keymap.delete[0]: must be a key, not a boolean"),
    ("keymap:\n  describe: esc\n", 2, "keymap.describe: esc is k9py's back key"),
    ("keymap:\n  describe: tab\n", 2, "keymap.describe: tab moves to the next split pane: it cannot also be describe"),
    ("keymap:\n  logs: shift-tab\n", 2, "keymap.logs: shift-tab moves to the previous split pane: it cannot also be logs"),
    ("keymap:\n  yaml:\n    - Y\n    - ctrl-]\n", 4, "keymap.yaml[1]: ctrl-] is the split panes' prefix: it cannot also be yaml"),
    ("keymap: [delete]\n", 1, "keymap: must be a mapping, not a list"),
    ("keymaps:\n  delete: ctrl-x\n", 1, "keymaps: unknown key"),
    ("- delete\n", 1, ": must be a mapping, not a list"),
])
def test_each_problem_is_one_line_with_its_line(tmp_path, text, line, words):
    f, err = error(tmp_path, text)
    assert err.line == line, str(err)
    assert words in str(err) and str(err).startswith(str(f)), str(err)


def test_two_actions_on_one_key_in_one_view_is_a_conflict_at_the_users_line(tmp_path):
    f, err = error(tmp_path, "keymap:\n  wide: ctrl-w\n  delete: space\n")
    assert str(err) == (f"{f}:3: keymap.delete: <space> is also mark's key (in pods, deployments, replicasets "
                        "and 24 more views): give one of them another key or unbind it (null)")
    f, err = error(tmp_path, "keymap:\n  mark: m\n  save: m\n")  # two of the user's own: the later line
    assert err.line == 3 and "keymap.save: <m> is also mark's key (in every view)" in str(err)
    f, err = error(tmp_path, "keymap:\n  scale: d\n")  # a row verb against another where both work
    assert err.line == 2 and "<d> is also describe's key (in deployments, replicasets, statefulsets)" in str(err)


def test_row_verbs_that_never_meet_in_one_view_do_not_conflict(tmp_path):
    # x decodes secrets and scales deployments; nodes have no logs, scale or suspend; namespaces no
    # restart or drain
    _, km = load(tmp_path, "keymap:\n  scale: x\n  drain: l\n  use: r\n")
    assert km.keys("scale") == ("x",) and km.keys("drain") == ("l",) and km.keys("use") == ("r",)


def test_a_row_verb_conflicts_in_the_views_that_have_both():
    km = Keymap(overrides={"trigger": ("c",)})  # cronjobs copy their name with c
    found = conflicts(km)
    assert [(c.first, c.second, c.views) for c in found] == [("copy", "trigger", ("cronjobs",))]


def test_a_key_that_opens_the_prompt_cannot_do_anything_else(tmp_path):
    f, err = error(tmp_path, 'keymap:\n  delete: ":"\n')
    assert str(err) == f"{f}:2: keymap.delete: <:> opens the prompt (command): it cannot also be delete's key"
    f, err = error(tmp_path, "keymap:\n  command: d\n")
    assert str(err) == f"{f}:2: keymap.command: <d> is describe's key: it cannot also open the prompt (command)"
    _, km = load(tmp_path, "keymap:\n  command: semicolon\n  describe: [d, ':']\n")  # `:` is free again
    assert km.keys("describe") == ("d", "colon")


def test_a_screens_own_actions_are_rebound_by_their_scoped_ids(tmp_path):
    _, km = load(tmp_path, "keymap:\n  logs.wrap: W\n  viewer.search_next: ctrl-n\n  back: null\n")
    assert km.keys("logs.wrap") == ("W",) and km.keys("viewer.search_next") == ("ctrl+n",) and km.keys("back") == ()
    assert km.keys("logs.autoscroll") == ("s",) and km.where["logs.wrap"][1] == 2
    assert km.actions_on("W") == []  # a screen's key is no resource view's: plugins may take it there


def test_two_actions_of_one_screen_on_one_key_is_a_conflict_at_the_users_line(tmp_path):
    f, err = error(tmp_path, "keymap:\n  logs.timestamps: T\n  logs.wrap: s\n")
    assert str(err) == (f"{f}:3: keymap.logs.wrap: <s> is also logs.autoscroll's key (in the log view): "
                        "give one of them another key or unbind it (null)")
    f, err = error(tmp_path, "keymap:\n  viewer.copy: m\n")  # only the YAML view has m
    assert err.line == 2 and "<m> is also yaml.managed_fields's key (in the YAML view)" in str(err)
    f, err = error(tmp_path, "keymap:\n  top: m\n")  # a view's id meets a screen's own only there
    assert err.line == 2 and "keymap.top: <m> is also yaml.managed_fields's key (in the YAML view)" in str(err)
    f, err = error(tmp_path, "keymap:\n  top: w\n")  # w warps in the views of namespaced kinds
    assert err.line == 2 and "keymap.top: <w> is also warp's key (in pods, deployments" in str(err)
    f, err = error(tmp_path, "keymap:\n  xray.fold_all: d\n")  # xray's row keys are the verbs'
    assert "<d> is also describe's key (in the xray view)" in str(err)
    f, err = error(tmp_path, "keymap:\n  back: n\n")
    assert ("<n> is also viewer.search_next's key (in the describe and dump views, the YAML view, "
            "the helm values view and 2 more)") in str(err)


def test_keys_other_screens_use_are_free_and_k9s_own_overlap_stays(tmp_path):
    # s autoscrolls logs, m shows managedFields in YAML, x folds xray: none of them is there
    _, km = load(tmp_path, "keymap:\n  yaml.decode: s\n  xray.fold: m\n  logs.json: x\n  down: [j, ctrl-n]\n")
    assert km.keys("yaml.decode") == ("s",) and km.keys("xray.fold") == ("m",) and km.keys("logs.json") == ("x",)
    assert km.keys("down") == ("j", "ctrl+n")  # j is still JSON in the log view: k9s's, no clash


def test_a_key_a_screen_keeps_cannot_be_taken_there(tmp_path):
    f, err = error(tmp_path, "keymap:\n  xray.fold: home\n")
    assert str(err) == (f"{f}:2: keymap.xray.fold: <home> is kept for top in the xray view (a fixed key): "
                        "give xray.fold another key")
    f, err = error(tmp_path, "keymap:\n  screendumps.open: pgdn\n")  # the list pages by itself
    assert "<pgdn> is kept for page_down in the screendumps view" in str(err)
    _, km = load(tmp_path, "keymap:\n  top: [g, home]\n")  # the key's own work: fine
    assert km.keys("top") == ("g", "home")


@pytest.mark.parametrize(("text", "words"), [
    ("keymap:\n  logs:\n    wrap: W\n", "keymap.logs: a screen's keys are one id a line: logs.ACTION: KEY "
                                         "(e.g. logs.autoscroll: s)"),
    ("keymap:\n  viewer: W\n", "keymap.viewer: unknown action: the viewer screen's ids are viewer.ACTION"),
    ("keymap:\n  logs.wrapp: W\n", "keymap.logs.wrapp: unknown action; did you mean logs.wrap?"),
])
def test_a_screens_ids_are_dotted(tmp_path, text, words):
    _, err = error(tmp_path, text)
    assert err.line == 2 and words in str(err), str(err)


def test_hotkeys_and_plugins_claim_keys_through_conflicts():
    km = Keymap(overrides={"delete": ("ctrl+x",)})
    assert conflicts(km, [Claim("ctrl+d", "hotKeys.nodes.shortCut", "h.yaml", 3)]) == []  # ctrl-d is free now
    c = conflicts(km, [Claim("ctrl+x", "hotKeys.nodes.shortCut", "h.yaml", 3)])
    assert [str(x) for x in c] == ["h.yaml:3: hotKeys.nodes.shortCut: <ctrl-x> is delete's key (in pods, "
                                   "deployments, replicasets and 24 more views): pick another key, or set "
                                   "override: true to take it"]
    assert conflicts(km, [Claim("ctrl+x", "hotkey", override=True)]) == []  # k9s's override
    assert conflicts(km, [Claim("colon", "hotkey", override=True)])  # never the prompt
    assert conflicts(km, [Claim("escape", "plugin x", override=True)])  # nor esc
    # a plugin scoped to configmaps may use s (no shell, scale or suspend there); one for pods may not
    assert conflicts(km, [Claim("s", "plugins.a.shortCut", views=frozenset({"configmaps"}))]) == []
    shell = conflicts(km, [Claim("s", "plugins.a.shortCut", views=frozenset({"pods"}))])
    assert [(x.first, x.views) for x in shell] == [("shell", ("pods",))]
    two = conflicts(km, [Claim("F2", "hotKeys.a.shortCut"), Claim("F2", "plugins.b.shortCut", override=True)])
    assert [(x.first, x.second) for x in two] == [("hotKeys.a.shortCut", "plugins.b.shortCut")]


def test_every_action_id_is_one_of_the_uis_and_every_verb_is_a_row_verb():
    ui_ids = {k.id for k in ui_keymap.ALL_KEYS if k.id}
    screen_ids = {aid for cls in screen_keys.SCREENS for aid in screen_keys.ids_of(cls)}
    assert ui_ids | set(keymap.ROW_VERBS) | screen_ids == set(DEFAULTS)
    assert set(keymap.SCREEN_ACTIONS) <= screen_ids
    assert set(row_keys.VERBS) == set(keymap.ROW_VERBS)
    for view in VIEWS:
        assert view.verbs <= set(keymap.ROW_VERBS), view.name


@pytest.mark.parametrize("screen", keymap.SCREENS, ids=lambda s: s.name)
def test_each_screens_ids_and_fixed_keys_are_its_classes(screen):
    """config.keymap.SCREENS (what the checker knows) is what the screens bind: every id, and every
    key a binding has beside its id's defaults is one the screen keeps (esc, the viewers' home)."""
    classes = [cls for cls in screen_keys.SCREENS if screen.name == cls.KEY_SCOPE]
    assert classes
    bound = set()
    for cls in classes:
        groups, body = cls.keyed_bindings()
        for b in [*(b for _, g in groups for b in g), *body]:
            assert b.id, (cls.__name__, b)  # every key of a keyed screen has an id
            bound.add(b.id)
            for key in b.key.split(","):
                if keymap.canonical(key) not in {keymap.canonical(k) for k in DEFAULTS[b.id]}:
                    assert (key, b.id) in {("escape", "back"), *screen.fixed.items()}, (cls.__name__, key, b.id)
    assert bound == set(screen.actions)


def test_only_the_log_views_j_is_a_default_key_of_two_actions_of_one_screen():
    """k9s's own layout is the one exception the checker allows (logs' j is JSON, not down)."""
    shared = set()
    for screen in keymap.SCREENS:
        for i, a in enumerate(screen.actions):
            for b in screen.actions[i + 1:]:
                both = {keymap.canonical(k) for k in DEFAULTS[a]} & {keymap.canonical(k) for k in DEFAULTS[b]}
                shared |= {(screen.name, k, a, b) for k in both}
    assert shared == {("logs", "j", "logs.json", "down")}


def test_the_docs_list_every_action_as_the_code_does():
    text = DOCS.read_text()
    assert ui_keymap.reference_markdown() in text
    assert screen_keys.reference_markdown() in text
    ids = set(re.findall(r"^\| `([a-z_0-9.]+)` \|", text, re.M))
    assert ids == set(DEFAULTS)


def test_the_docs_examples_load(tmp_path):
    text = DOCS.read_text()
    examples = re.findall(r"```yaml\n(keymap:.*?)```", text, re.S)
    assert examples
    for example in examples:
        load(tmp_path, example)


def test_sort_node_has_no_key_but_a_keymap_may_give_it_one(tmp_path):
    """k9s's shift-o sorts the selected column; NODE's own sort keeps its id for keymap.yaml."""
    assert DEFAULTS["sort_node"] == () and DEFAULTS["sort_selected"] == ("O",)
    bound = [b for b in ui_keymap.pane_bindings(Keymap({"sort_node": ("ctrl+o",)})) if b.id == "sort_node"]
    assert [b.key for b in bound] == ["ctrl+o"] and bound[0].action == "sort('NODE')"
