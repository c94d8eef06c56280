"""``/proc`` as an exec sees it when it starts: a directory per process of the container's PID
namespace (``cmdline``, ``comm``, ``status``) and the files people read there (``cpuinfo``,
``meminfo``, ``version``, ``uptime``, ``loadavg``, ``mounts``), from the node the pod runs on."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from k9py.kube.meta import dig
from k9py.kube.quantity import bytes_of, cpu_millis
from k9py.kube.timefmt import parse_time
from k9py.sim.userland.fs import Dir, File
from k9py.sim.userland.pidns import processes

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.userland.container import Container

VERSION = ("Linux version 6.8.0-45-generic (buildd@lcy02-amd64-075) (x86_64-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) "
           "13.2.0, GNU ld (GNU Binutils for Ubuntu) 2.42) #45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024\n")
CPU_MODEL = "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz"


def _node(cluster: Cluster, box: Container) -> dict:
    pod = cluster.store.get("Pod", box.namespace, box.pod) or {}
    node = cluster.store.get("Node", None, str(dig(pod, "spec", "nodeName") or "")) or {}
    return node


def _cpuinfo(cpus: int) -> str:
    out = []
    for i in range(cpus):
        out.append(f"processor\t: {i}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 106\n"
                   f"model name\t: {CPU_MODEL}\nstepping\t: 6\ncpu MHz\t\t: 2899.998\ncache size\t: 55296 KB\n"
                   f"physical id\t: 0\nsiblings\t: {cpus}\ncore id\t\t: {i}\ncpu cores\t: {cpus}\n"
                   "fpu\t\t: yes\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat "
                   "pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl "
                   "xtopology nonstop_tsc cpuid aperfmperf pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic "
                   "movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm avx2 avx512f\n"
                   "bogomips\t: 5799.99\nclflush size\t: 64\ncache_alignment\t: 64\n"
                   "address sizes\t: 46 bits physical, 48 bits virtual\npower management:\n\n")
    return "".join(out)


def _meminfo(total_kb: int) -> str:
    free = total_kb * 35 // 100
    avail = total_kb * 62 // 100
    rows = [("MemTotal", total_kb), ("MemFree", free), ("MemAvailable", avail), ("Buffers", total_kb // 50),
            ("Cached", total_kb // 4), ("SwapCached", 0), ("Active", total_kb // 3), ("Inactive", total_kb // 5),
            ("SwapTotal", 0), ("SwapFree", 0), ("Shmem", total_kb // 100)]
    return "".join(f"{k + ':':<16}{v:>8} kB\n" for k, v in rows)


def cmdline(cmd: str) -> list[str]:
    """A process's arguments from its ``ps`` line (nginx writes its title over its arguments)."""
    if cmd.startswith("nginx: "):
        return [cmd]
    try:
        return shlex.split(cmd)
    except ValueError:
        return cmd.split()


def refresh(cluster: Cluster, box: Container, own: int | None = None) -> None:
    """Mount a fresh ``/proc`` in ``box`` (called as an exec starts; ``own``: its PID, what
    ``/proc/self`` shows)."""
    now = cluster.now()
    node = _node(cluster, box)
    cpus = max(1, cpu_millis(dig(node, "status", "capacity", "cpu") or "2") // 1000)
    mem = bytes_of(dig(node, "status", "capacity", "memory") or "4Gi") // 1024
    booted = parse_time(dig(node, "metadata", "creationTimestamp")) or 0.0
    up = max(1.0, now - booted) + 25.0 if booted else 3600.0  # (the machine booted a little before its node registered)
    root = Dir(mode=0o555, mtime=now)

    def put(name: str, text: str, mode: int = 0o444) -> None:
        root.children[name] = File(text.encode(), mode, now)

    put("cpuinfo", _cpuinfo(cpus))
    put("meminfo", _meminfo(mem))
    put("version", VERSION)
    put("uptime", f"{up:.2f} {up * cpus * 0.93:.2f}\n")
    put("loadavg", f"0.{cpus * 13 % 100:02d} 0.{cpus * 11 % 100:02d} 0.{cpus * 7 % 100:02d} 1/312 {max(box.pids.next_pid, 2)}\n")
    mounts = ["overlay / overlay rw,relatime 0 0", "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0",
              "tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755 0 0", "shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k 0 0",
              *(f"{m.source} {m.path} {'tmpfs' if m.source == 'tmpfs' else 'ext4'} {'ro' if m.readonly else 'rw'},relatime 0 0"
                for m in sorted(box.fs.mounts, key=lambda m: m.path) if m.path != "/proc")]
    put("mounts", "".join(line + "\n" for line in mounts))
    for pid, user, cmd in processes(cluster, box):
        d = Dir(mode=0o555, mtime=now)
        argv = cmdline(cmd)
        comm = "nginx" if cmd.startswith("nginx: ") else (argv[0].rsplit("/", 1)[-1] if argv else "")[:15]
        d.children["cmdline"] = File(("\0".join(argv) + "\0").encode() if argv else b"", 0o444, now)
        d.children["comm"] = File((comm + "\n").encode(), 0o444, now)
        uid = "0" if user == "root" else "101"
        d.children["status"] = File((f"Name:\t{comm}\nState:\tS (sleeping)\nTgid:\t{pid}\nPid:\t{pid}\n"
                                     f"PPid:\t{0 if pid == 1 or pid in box.pids.sessions else 1}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n"
                                     f"Gid:\t{uid}\t{uid}\t{uid}\t{uid}\nThreads:\t1\n").encode(), 0o444, now)
        root.children[str(pid)] = d
        if pid == own:
            root.children["self"] = d  # (a symbolic link on Linux)
    box.fs.mount("/proc", root, readonly=True, source="proc")
