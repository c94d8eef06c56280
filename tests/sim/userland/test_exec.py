"""start_exec: errors before anything runs, one-shot commands, stdin, tty sessions, kill 1."""

from __future__ import annotations

import pytest

from k9py.kube.status import ApiError
from k9py.sim.userland import STDERR, STDOUT, start_exec
from tests.sim.helpers import pod_manifest
from tests.sim.userland.helpers import busybox, cluster_with, run, sh


@pytest.fixture
def c():
    two = pod_manifest("two", "nginx:1.27.2", container="web",
                       annotations={"kubectl.kubernetes.io/default-container": "side"})
    two["spec"]["containers"].append({"name": "side", "image": "busybox", "command": ["sleep", "1d"]})
    done = pod_manifest("done", "busybox", command=["sh", "-c", "echo hi"], restart_policy="Never")
    return cluster_with(busybox(), two, done, pod_manifest("pending", "busybox", command=["sleep", "1d"],
                                                           nodeSelector={"nope": "x"}))


def test_api_errors(c):
    with pytest.raises(ApiError) as e:
        start_exec(c, "default", "ghost", None, ["ls"])
    assert (e.value.code, e.value.message) == (404, 'pods "ghost" not found')
    with pytest.raises(ApiError) as e:
        start_exec(c, "default", "bb", "nope", ["ls"])
    assert (e.value.code, e.value.message) == (400, "container nope is not valid for pod bb")
    with pytest.raises(ApiError) as e:
        start_exec(c, "default", "done", None, ["ls"])
    assert e.value.message == "cannot exec into a container in a completed pod; current phase is Succeeded"
    with pytest.raises(ApiError) as e:
        start_exec(c, "default", "pending", None, ["ls"])
    assert e.value.message == "pod pending does not have a host assigned"


def test_default_container_annotation_and_explicit_container(c):
    assert sh(c, "two", "cat /etc/os-release 2>/dev/null | wc -l") == "0\n"          # busybox: side
    assert "Debian" in sh(c, "two", "cat /etc/os-release", container="web")


def test_one_shot_commands(c):
    assert run(c, "bb", ["ls", "/"])[0].startswith("bin\ndev\netc\n")
    assert run(c, "bb", ["cat", "/etc/hostname"]) == ("bb\n", "", 0)
    assert run(c, "bb", ["sh", "-c", "echo hi; exit 3"]) == ("hi\n", "", 3)
    p = start_exec(c, "default", "bb", None, ["sh", "-c", "echo out; echo err >&2"])
    assert p.done and p.exit_code == 0
    assert p.read() == [(STDOUT, b"out\n"), (STDERR, b"err\n")]
    assert p.read() == []


def test_stdin_for_one_shot_commands_and_non_tty_shells(c):
    assert run(c, "bb", ["sh", "-c", "cat > /tmp/in; wc -c < /tmp/in"], stdin=b"12345") == ("5\n", "", 0)
    p = start_exec(c, "default", "bb", None, ["sh"], stdin=True)
    p.feed(b"echo one\ncd /etc; pw")
    assert p.read() == [(STDOUT, b"one\n")] and not p.done
    p.feed(b"d\nexit 7\necho never\n")
    assert p.read() == [(STDOUT, b"/etc\n")] and p.done and p.exit_code == 7
    p = start_exec(c, "default", "bb", None, ["sh"], stdin=True)
    p.feed(b"false")
    p.close_stdin()
    assert p.done and p.exit_code == 1


def test_kubectl_cp_style_tar_round_trip(c):
    out = start_exec(c, "default", "bb", None, ["tar", "cf", "-", "/etc/hostname"])
    archive = b"".join(d for s, d in out.read() if s == STDOUT)
    assert out.exit_code == 0 and archive
    p = start_exec(c, "default", "bb", None, ["tar", "-xmf", "-", "-C", "/tmp"], stdin=True)
    p.feed(archive)
    p.close_stdin()
    assert p.exit_code == 0
    assert sh(c, "bb", "cat /tmp/etc/hostname") == "bb\n"


def test_interactive_tty_session(c):
    p = start_exec(c, "default", "bb", None, ["sh"], tty=True, stdin=True)
    assert p.read() == [(STDOUT, b"/ # ")]
    p.feed(b"ec")
    p.feed(b"ho hi\r")
    assert p.read() == [(STDOUT, b"echo hi\r\nhi\r\n/ # ")]
    p.feed(b"cd /etc\rlsx\x7f\x7f\x7fpwd\n")
    assert p.read() == [(STDOUT, b"cd /etc\r\n/etc # lsx\b \b\b \b\b \bpwd\r\n/etc\r\n/etc # ")]
    p.feed(b"sleep 100\x03")
    assert p.read() == [(STDOUT, b"sleep 100^C\r\n/etc # ")]
    p.feed(b"cd\recho 'a\rb'\r")
    assert p.read() == [(STDOUT, b"cd\r\n~ # echo 'a\r\n> b'\r\na\r\nb\r\n~ # ")]
    p.feed(b"nope\r")
    assert p.read() == [(STDOUT, b"nope\r\nsh: nope: not found\r\n~ # ")]
    p.feed(b"x\x04")              # ctrl-d on a non-empty line does nothing
    assert not p.done
    p.feed(b"\x7f\x04")
    assert p.done and p.exit_code == 127
    assert p.read() == [(STDOUT, b"x\b \b\r\n")]


def test_bash_prompt_in_debian_images(c):
    p = start_exec(c, "default", "two", "web", ["bash"], tty=True, stdin=True)
    assert p.read() == [(STDOUT, b"root@two:/# ")]
    p.feed(b"exit\r")
    assert p.done and p.exit_code == 0


def test_kill_1_restarts_the_container(c):
    p = start_exec(c, "default", "bb", None, ["sh"], tty=True, stdin=True)
    other = start_exec(c, "default", "bb", None, ["sh"], tty=True, stdin=True)
    p.feed(b"kill 1\r")
    assert p.done and p.exit_code == 137
    other.read()
    assert other.done and other.exit_code == 137      # every session in the container ends
    with pytest.raises(ApiError) as e:        # stopping: no new sessions until it is back
        start_exec(c, "default", "bb", None, ["ls"])
    assert e.value.message == 'unable to upgrade connection: container not found ("bb")'
    before = c.get("Pod", "default", "bb")["status"]["containerStatuses"][0]
    assert before["restartCount"] == 0
    c.advance(2)  # the exit noticed, written (terminated); the restart at the next relist
    st = c.get("Pod", "default", "bb")["status"]["containerStatuses"][0]
    assert st["restartCount"] == 1 and "running" in st["state"]
    assert st["lastState"]["terminated"]["exitCode"] == 137
    assert sh(c, "bb", "echo back") == "back\n"
    # nginx stops cleanly on SIGTERM: exit 0, Completed, restarted
    run(c, "two", "kill 1", container="web")
    c.advance(2)
    st = next(s for s in c.get("Pod", "default", "two")["status"]["containerStatuses"] if s["name"] == "web")
    assert st["restartCount"] == 1 and st["lastState"]["terminated"]["reason"] == "Completed"


def test_k9s_shell_command_ends_in_an_interactive_shell(c):
    """k9s (and k9py on a live cluster) runs `sh -c "command -v bash >/dev/null && exec bash || exec sh"`."""
    p = start_exec(c, "default", "bb", None, ["sh", "-c", "command -v bash >/dev/null && exec bash || exec sh"],
                   tty=True, stdin=True)
    assert not p.done
    assert b"".join(d for _, d in p.read()) == b"/ # "  # busybox has no bash: sh
    p.feed(b"echo $HOSTNAME\r")
    assert b"bb\r\n/ # " in b"".join(d for _, d in p.read())
    p.feed(b"exit 5\r")
    assert p.done and p.exit_code == 5


def test_command_v_says_where_commands_are(c):
    assert sh(c, "bb", "command -v ls cd") == "/bin/ls\ncd\n"
    assert run(c, "bb", "command -v bash nope")[2] == 1
    assert sh(c, "two", "command -v bash", container="web") == "/bin/bash\n"  # debian-based nginx
    assert sh(c, "bb", "command echo hi") == "hi\n"


def test_a_web_servers_own_binary_is_in_its_image_only(c):
    """`kubectl exec web -- nginx -v` as on the real image (the version its tag runs, on stderr);
    in busybox there is no nginx: the runtime cannot find it, the shell says not found."""
    assert run(c, "two", ["nginx", "-v"], container="web") == ("", "nginx version: nginx/1.27.2\n", 0)
    assert run(c, "two", "nginx -t", container="web")[1].endswith("test is successful\n")
    assert run(c, "two", "which nginx", container="web") == ("/usr/sbin/nginx\n", "", 0)
    p = start_exec(c, "default", "two", "side", ["nginx", "-v"])
    assert p.done and p.exit_code == 126
    assert p.read() == [(STDOUT, b'OCI runtime exec failed: exec failed: unable to start container process: '
                                 b'exec: "nginx": executable file not found in $PATH: unknown\r\n')]
    assert run(c, "two", "nginx -v", container="side") == ("", "sh: nginx: not found\n", 127)
    assert run(c, "two", "which nginx", container="side") == ("", "", 1)
    # `command -v` agrees with `which`, and the path they give runs
    assert run(c, "two", "command -v nginx", container="web") == ("/usr/sbin/nginx\n", "", 0)
    assert run(c, "two", "command -v nginx", container="side")[2] == 1
    assert run(c, "two", ["/usr/sbin/nginx", "-v"], container="web")[1] == "nginx version: nginx/1.27.2\n"
    assert run(c, "two", "/usr/sbin/nginx -v", container="web")[1] == "nginx version: nginx/1.27.2\n"


@pytest.mark.parametrize(("tag", "version"), [("1.14.2", "1.14.2"), ("1.25", "1.25.5"), ("1.25-alpine", "1.25.5"),
                                              ("latest", "1.27.2"), ("stable-alpine", "1.27.2")])
def test_an_nginx_tag_runs_its_release(tag, version):
    c = cluster_with(pod_manifest("web", f"nginx:{tag}"), pod_manifest("client", "nginx:1.27.2"))
    assert run(c, "web", ["nginx", "-v"])[1] == f"nginx version: nginx/{version}\n"
    ip = c.get("Pod", "default", "web")["status"]["podIP"]
    assert run(c, "client", f"curl -sI {ip}")[0].split("\r\n")[1] == f"Server: nginx/{version}"
    # curl came into nginx's Debian image with 1.19 (bookworm's); stretch's has none; Alpine's has it
    assert run(c, "web", "command -v curl")[2] == (1 if tag == "1.14.2" else 0)


def test_busybox_has_neither_bash_nor_curl_and_every_view_of_the_image_agrees(c):
    """As on a real (Docker-runtime) minikube: the exec fails to start (runc's error on stdout, exit
    126), the shell says not found; `ls /bin`, `which` and `command -v` say the same."""
    for argv in (["bash", "-c", "echo x"], ["curl", "-s", "localhost"], ["/bin/bash"]):
        p = start_exec(c, "default", "bb", None, argv, tty=argv == ["/bin/bash"], stdin=argv == ["/bin/bash"])
        what = ('stat /bin/bash: no such file or directory' if argv[0] == "/bin/bash"
                else "executable file not found in $PATH")
        said = f'OCI runtime exec failed: exec failed: unable to start container process: exec: "{argv[0]}": {what}: unknown'
        assert p.done and p.exit_code == 126 and p.error == said
        assert p.read() == [(STDOUT, f"{said}\r\n".encode())]
    assert run(c, "bb", "bash -c 'echo x'") == ("", "sh: bash: not found\n", 127)
    assert run(c, "bb", "curl -s localhost") == ("", "sh: curl: not found\n", 127)
    assert run(c, "bb", "ls /bin/bash /bin/curl; which bash curl; command -v bash curl")[2] == 1
    assert sh(c, "bb", "ls /bin/wget; which wget ping; command -v wget") == "/bin/wget\n/bin/wget\n/bin/ping\n/bin/wget\n"
    listed = set(sh(c, "bb", "ls /bin").split())
    assert all(sh(c, "bb", f"command -v '{name}'") == f"/bin/{name}\n" for name in listed)
    assert {"bash", "curl", "dash"}.isdisjoint(listed) and {"sh", "wget", "ping", "nslookup"} <= listed
    # Debian's nginx: bash and curl, no busybox networking applets
    assert sh(c, "two", "command -v bash curl", container="web") == "/bin/bash\n/bin/curl\n"
    # Debian's sh is dash (the line number in its message), bash says "command not found"
    assert run(c, "two", "ping -c 1 localhost", container="web") == ("", "sh: 1: ping: not found\n", 127)
    assert run(c, "two", "bash -c 'true; ping x'", container="web") == ("", "bash: line 1: ping: command not found\n", 127)


def test_ps_lists_itself_once(c):
    """`kubectl exec POD -- ps`: the exec'd process is the ps."""
    out = run(c, "bb", ["ps"])[0].splitlines()
    assert out[1:] == ["    1 root      0:00 sleep 3600", f"{out[2].split()[0]:>5} root      0:00 ps"]
    p = start_exec(c, "default", "bb", None, ["sh"], tty=True, stdin=True)
    p.read()
    p.feed(b"ps\r")
    rows = b"".join(d for _, d in p.read()).decode().split("\r\n")[2:-1]
    assert [r.split(None, 3)[3] for r in rows] == ["sleep 3600", "sh", "ps"]


def test_an_exec_of_sh_c_is_that_shell_and_a_lone_command_takes_its_place(c):
    """`kubectl exec POD -- sh -c ps`: ash execs a script's lone command, so ps has the session's
    PID; `sh -c 'ps; true'` keeps the shell (the session) and ps is its child. There was a second
    `sh` between them."""
    lone = run(c, "bb", ["sh", "-c", "ps"])[0].splitlines()[1:]
    assert [r.split(None, 3)[3] for r in lone] == ["sleep 3600", "ps"]
    two = run(c, "bb", ["sh", "-c", "ps; true"])[0].splitlines()[1:]
    assert [r.split(None, 3)[3] for r in two] == ["sleep 3600", "sh -c ps; true", "ps"]
    assert int(two[2].split()[0]) == int(two[1].split()[0]) + 1  # its child, nothing between


def test_an_exec_in_nginx_gets_a_pid_above_its_workers_and_has_no_ps(c):
    """`kubectl exec -it nginx -- sh`: nginx's workers are 29 and 30, so the shell comes after them
    (it was PID 7); the image (FROM debian:*-slim) has no procps: `ps` is not found, as on a real
    cluster."""
    p = start_exec(c, "default", "two", "web", ["sh"], tty=True, stdin=True)
    p.read()
    p.feed(b"echo $$; ps\r")
    assert b"".join(d for _, d in p.read()).decode().split("\r\n")[1:3] == ["31", "sh: 1: ps: not found"]


@pytest.mark.parametrize("image", ["registry.k8s.io/coredns/coredns:v1.11.1", "registry.k8s.io/etcd:3.5.15-0",
                                   "registry.k8s.io/kube-apiserver:v1.37.1", "gcr.io/k8s-minikube/storage-provisioner:v5",
                                   "gcr.io/distroless/static-debian12"])
def test_the_cluster_components_distroless_images_have_no_shell(image):
    """`kubectl exec -it coredns-… -- sh` fails on a real cluster (scratch/distroless images: no
    shell, no builtins, no tar for kubectl cp), the runtime's error; a debug container is the way in."""
    c = cluster_with(pod_manifest("dns", image))
    for argv in (["sh"], ["echo", "hi"], ["tar", "cf", "-", "/etc"], ["/bin/sh"]):
        p = start_exec(c, "default", "dns", None, argv)
        assert p.done and p.exit_code == 126 and p.read() == [(STDOUT, f"{p.error}\r\n".encode())], argv
        what = f"stat {argv[0]}: no such file or directory" if argv[0].startswith("/") else "executable file not found in $PATH"
        assert p.error.endswith(f'exec: "{argv[0]}": {what}: unknown'), p.error
