"""A small, deterministic userland for the simulator's containers: a file system from the image
and the pod's volumes, the environment from the spec, and a busybox-like shell (issue 12).

The one entry point the rest of k9py uses (``k9py serve``'s exec/attach, the explorer's `s`)::

    proc = start_exec(cluster, namespace, pod, container, ["sh"], tty=True, stdin=True)
    proc.feed(b"ls /\\r")            # what the user typed (a terminal's bytes when tty)
    for stream, data in proc.read():  # what the container wrote since the last read
        ...                           # stream: STDOUT or STDERR (with tty: always STDOUT)
    proc.resize(80, 24)
    proc.close_stdin()                # EOF (ctrl-d on an empty line ends `sh` too)
    proc.done, proc.exit_code         # True and the exit status once the command ended

``sleep N`` takes time: the session's command line waits until the virtual clock or the wall
clock (``start_exec(..., timer=)``, monotonic by default) has moved N seconds, noticed on the next
``read``/``feed`` (see ``ExecProcess``).

Errors before anything runs are ``k9py.kube.status.ApiError`` with kubectl's wording: no such
pod (404), a container the pod does not have (400 ``container X is not valid for pod Y``), a pod
that is not Running (400 ``cannot exec into a container in a completed pod; current phase is
Succeeded`` / ``pod P does not have a host assigned``). Callers on other threads hold
``cluster.lock`` around every call (the shell reads and writes cluster state).
"""

from __future__ import annotations

from k9py.sim.userland.channels import STDERR, STDOUT  # the remote-command protocol's channel numbers
from k9py.sim.userland.exec import ExecProcess, start_exec

__all__ = ["STDERR", "STDOUT", "ExecProcess", "start_exec"]
