"""An in-memory file system: directories and files in a tree, with mounts (shared subtrees)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field


class FsError(Exception):
    """A failed file operation, worded like busybox's strerror (``No such file or directory``)."""


NOENT = "No such file or directory"
NOTDIR = "Not a directory"
ISDIR = "Is a directory"
EXIST = "File exists"
ROFS = "Read-only file system"
NOTEMPTY = "Directory not empty"
BUSY = "Resource busy"


@dataclass
class File:
    data: bytes = b""
    mode: int = 0o644
    mtime: float = 0.0


@dataclass
class Dir:
    children: dict[str, Dir | File] = field(default_factory=dict)
    mode: int = 0o755
    mtime: float = 0.0


Node = Dir | File


@dataclass
class Mount:
    path: str
    root: Dir
    readonly: bool = False
    source: str = "overlay"   # what df prints in its first column


def normpath(path: str, cwd: str = "/") -> str:
    """An absolute, normalised path (``..`` at the root stays at the root)."""
    p = posixpath.normpath(posixpath.join(cwd, path))
    return "/" + p.lstrip("/") if p != "/" else "/"


class FileSystem:
    """A container's view: its own root (the writable layer) with mounts over it."""

    def __init__(self, root: Dir, clock: float = 0.0) -> None:
        self.root = root
        self.mounts: list[Mount] = []
        self.now = clock

    # -- mounts ------------------------------------------------------------------------------
    def mount(self, path: str, root: Dir, *, readonly: bool = False, source: str = "tmpfs") -> None:
        path = normpath(path)
        self.makedirs(path, force=True)
        self.mounts = [m for m in self.mounts if m.path != path] + [Mount(path, root, readonly, source)]
        self.mounts.sort(key=lambda m: len(m.path), reverse=True)

    def mount_of(self, path: str) -> Mount | None:
        path = normpath(path)
        for m in self.mounts:
            if path == m.path or path.startswith(m.path.rstrip("/") + "/"):
                return m
        return None

    def _start(self, path: str) -> tuple[Dir, list[str], bool]:
        path = normpath(path)
        m = self.mount_of(path)
        if m is None:
            return self.root, [p for p in path.split("/") if p], False
        rest = path[len(m.path):]
        return m.root, [p for p in rest.split("/") if p], m.readonly

    # -- lookups ------------------------------------------------------------------------------
    def lookup(self, path: str) -> Node:
        start, parts, _ = self._start(path)
        node: Node = start
        for part in parts:
            if not isinstance(node, Dir):
                raise FsError(NOTDIR)
            child = node.children.get(part)
            if child is None:
                raise FsError(NOENT)
            node = child
        return node

    def exists(self, path: str) -> bool:
        try:
            self.lookup(path)
        except FsError:
            return False
        return True

    def is_dir(self, path: str) -> bool:
        try:
            return isinstance(self.lookup(path), Dir)
        except FsError:
            return False

    def read(self, path: str) -> bytes:
        node = self.lookup(path)
        if isinstance(node, Dir):
            raise FsError(ISDIR)
        return node.data

    def listdir(self, path: str) -> list[str]:
        node = self.lookup(path)
        if not isinstance(node, Dir):
            raise FsError(NOTDIR)
        names = set(node.children)
        base = normpath(path)
        for m in self.mounts:  # mount points show in their parent even if the layer lacks them
            if posixpath.dirname(m.path) == base and m.path != "/":
                names.add(posixpath.basename(m.path))
        return sorted(names)

    # -- changes ------------------------------------------------------------------------------
    def _parent(self, path: str) -> tuple[Dir, str]:
        path = normpath(path)
        if path == "/":
            raise FsError(BUSY)
        if any(m.path == path for m in self.mounts):
            raise FsError(BUSY)
        parent = posixpath.dirname(path)
        _, _, readonly = self._start(path)
        if readonly:
            raise FsError(ROFS)
        node = self.lookup(parent)
        if not isinstance(node, Dir):
            raise FsError(NOTDIR)
        return node, posixpath.basename(path)

    def write(self, path: str, data: bytes, *, append: bool = False, mode: int = 0o644) -> None:
        parent, name = self._parent(path)
        node = parent.children.get(name)
        if isinstance(node, Dir):
            raise FsError(ISDIR)
        if node is None:
            node = parent.children[name] = File(mode=mode)
            parent.mtime = self.now  # (a new entry changes its directory)
        node.data = node.data + data if append else data
        node.mtime = self.now

    def touch(self, path: str) -> None:
        try:
            node = self.lookup(path)
        except FsError:
            self.write(path, b"")
            return
        if self._start(path)[2]:
            raise FsError(ROFS)
        node.mtime = self.now

    def mkdir(self, path: str) -> None:
        parent, name = self._parent(path)
        if name in parent.children:
            raise FsError(EXIST)
        parent.children[name] = Dir(mtime=self.now)
        parent.mtime = self.now

    def makedirs(self, path: str, *, force: bool = False) -> None:
        """``mkdir -p``; ``force`` also creates under read-only mounts (building the image)."""
        path = normpath(path)
        if path == "/":
            return
        parts = [p for p in path.split("/") if p]
        cur = "/"
        for part in parts:
            cur = posixpath.join(cur, part)
            try:
                node = self.lookup(cur)
            except FsError:
                if force:
                    root, rel, _ = self._start(posixpath.dirname(cur))
                    d: Dir = root
                    for p in rel:
                        nxt = d.children.get(p)
                        assert isinstance(nxt, Dir)
                        d = nxt
                    d.children[part] = Dir(mtime=self.now)
                else:
                    self.mkdir(cur)
                continue
            if not isinstance(node, Dir):
                raise FsError(NOTDIR)

    def remove(self, path: str, *, recursive: bool = False) -> None:
        parent, name = self._parent(path)
        node = parent.children.get(name)
        if node is None:
            raise FsError(NOENT)
        if isinstance(node, Dir) and not recursive:
            raise FsError(ISDIR)
        prefix = normpath(path).rstrip("/") + "/"
        if isinstance(node, Dir) and any(m.path.startswith(prefix) for m in self.mounts):
            raise FsError(BUSY)
        del parent.children[name]
        parent.mtime = self.now

    def rmdir(self, path: str) -> None:
        node = self.lookup(path)
        if not isinstance(node, Dir):
            raise FsError(NOTDIR)
        if node.children:
            raise FsError(NOTEMPTY)
        self.remove(path, recursive=True)

    def put(self, path: str, node: Node) -> None:
        """Place a node (a copy or a moved subtree) at ``path``."""
        parent, name = self._parent(path)
        if isinstance(parent.children.get(name), Dir) and isinstance(node, File):
            raise FsError(ISDIR)
        parent.children[name] = node

    def walk(self, path: str) -> list[tuple[str, Node]]:
        """``path`` and everything under it, parents first."""
        out: list[tuple[str, Node]] = []
        node = self.lookup(path)
        out.append((normpath(path), node))
        if isinstance(node, Dir):
            for name in self.listdir(path):
                out += self.walk(posixpath.join(normpath(path), name))
        return out

    def size(self, path: str) -> int:
        return sum(len(n.data) for _, n in self.walk(path) if isinstance(n, File))


def copy_node(node: Node) -> Node:
    if isinstance(node, File):
        return File(node.data, node.mode, node.mtime)
    return Dir({k: copy_node(v) for k, v in node.children.items()}, node.mode, node.mtime)


def tree(files: dict[str, bytes | str], *, mode: int = 0o644, mtime: float = 0.0) -> Dir:
    """A directory tree from ``{"relative/path": content}``."""
    root = Dir(mtime=mtime)
    for path, content in files.items():
        parts = [p for p in path.split("/") if p]
        d = root
        for p in parts[:-1]:
            nxt = d.children.setdefault(p, Dir(mtime=mtime))
            assert isinstance(nxt, Dir)
            d = nxt
        data = content.encode() if isinstance(content, str) else content
        d.children[parts[-1]] = File(data, mode, mtime)
    return root
