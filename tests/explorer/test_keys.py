"""Row keys derive from the kind registry: one key, the verb each view gives it."""

from k9py.explorer import keys
from k9py.view.kinds import BY_NAME, VIEWS


def verb(view, key):
    v = keys.verb_for(BY_NAME[view], key)
    return v.id if v else None


def test_a_key_means_what_k9s_gives_it_in_each_view():
    assert verb("deployments", "s") == "scale" and verb("cronjobs", "s") == "suspend"
    assert verb("pods", "s") == "shell" and verb("containers", "s") == "shell"
    assert verb("deployments", "r") == "restart" and verb("nodes", "r") == "drain"
    assert verb("nodes", "c") == "cordon" and verb("pods", "c") == "copy"
    assert verb("nodes", "u") == "uncordon" and verb("namespaces", "u") == "use"
    assert verb("pods", "F") == "port_forward" and verb("pods", "a") == "attach" and verb("pods", "o") == "show_node"
    assert verb("pods", "u") is None and verb("configmaps", "s") is None and verb("pods", "ctrl+l") is None
    assert verb("replicasets", "ctrl+l") == "rollback" and verb("pods", "ctrl+k") == "kill"
    assert verb("containers", "d") is None and verb("contexts", "ctrl+d") == "delete" and verb("contexts", "r") == "rename"


def test_every_verb_of_every_view_has_a_key():
    reachable = {v for k in keys.ROW_KEYS for v in k.verbs}
    for view in VIEWS:
        assert view.verbs <= set(keys.VERBS), view.name
        assert view.verbs <= reachable, view.name
        for vid in view.verbs:  # no other verb on its keys shadows it
            key = next(k for k in keys.ROW_KEYS if vid in k.verbs)
            assert verb(view.name, key.key) == vid, (view.name, vid)


def test_menu_shows_what_works_and_hides_changes_when_read_only():
    pods = dict(keys.row_menu(BY_NAME["pods"], read_only=False))
    assert pods["<enter>"] == "Containers" and pods["<ctrl-d>"] == "Delete" and pods["<ctrl-k>"] == "Kill"
    assert pods["<o>"] == "Show Node" and pods["<c>"] == "Copy" and pods["<l>"] == "Logs"
    assert pods["<s>"] == "Shell" and pods["<a>"] == "Attach"
    assert pods["<shift-f>"] == "Port-Forward"
    ro = dict(keys.row_menu(BY_NAME["pods"], read_only=True, menu=True))
    assert set(ro) == {"<enter>", "<d>", "<y>", "<l>", "<p>", "<c>", "<o>"}
    # `?` lists k9s's hidden ones too: Copy Namespace, Warp To Namespace, Show PortForward
    assert set(dict(keys.row_menu(BY_NAME["pods"], read_only=True))) == set(ro) | {"<n>", "<w>", "<f>"}
    nodes_ro = dict(keys.row_menu(BY_NAME["nodes"], read_only=True))
    assert not {"<c>", "<u>", "<r>", "<ctrl-d>", "<e>"} & set(nodes_ro)
    assert dict(keys.row_menu(BY_NAME["namespaces"], read_only=True))["<u>"] == "Use"
    dp = keys.row_menu(BY_NAME["deployments"], read_only=False)
    assert ("<s>", "Scale") in dp and ("<r>", "Restart") in dp and ("<i>", "Set Image") in dp
