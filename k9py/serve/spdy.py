"""A small SPDY/3.1 codec (draft-mbelshe-httpbis-spdy-00 as spoken by ``moby/spdystream``, the
framing under kubectl's ``port-forward`` after its WebSocket attempt is refused): frames to and from
bytes, and the name/value header blocks, zlib-compressed with SPDY/3's dictionary and one
compression context per direction for the life of the connection.

Control frames: ``1 | version(15) | type(16) | flags(8) | length(24) | payload``; data frames:
``0 | stream-id(31) | flags(8) | length(24) | data``. ``FLAG_FIN`` on either half-closes the
sender's side of the stream.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

VERSION = 3
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
FLAG_FIN = 0x01
MAX_DATA = 0xFFFFFF  # the 24-bit length of a frame

# RST_STREAM status codes (the ones a server uses)
PROTOCOL_ERROR, INVALID_STREAM, REFUSED_STREAM, CANCEL, INTERNAL_ERROR = 1, 2, 3, 5, 6

_WORDS = (
    "options head post put delete trace accept accept-charset accept-encoding accept-language "
    "accept-ranges age allow authorization cache-control connection content-base content-encoding "
    "content-language content-length content-location content-md5 content-range content-type date etag "
    "expect expires from host if-match if-modified-since if-none-match if-range if-unmodified-since "
    "last-modified location max-forwards pragma proxy-authenticate proxy-authorization range referer "
    "retry-after server te trailer transfer-encoding upgrade user-agent vary via warning www-authenticate "
    "method get status|200 OK|version HTTP/1.1 url public set-cookie keep-alive origin"
)
_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
    "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
    "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
    "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
    "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)


def _dictionary() -> bytes:
    words = [w for part in _WORDS.split("|") for w in ([part] if " " in part and part[0].isdigit() else part.split())]
    return b"".join(struct.pack(">I", len(w)) + w.encode() for w in words) + _TAIL.encode()


# The zlib dictionary of SPDY/3's header blocks (spec section 2.6.10.1): length-prefixed names and
# values, then a run of common strings. 1423 bytes; a wrong byte makes the peer's inflate fail.
DICTIONARY = _dictionary()


@dataclass
class Frame:
    """One frame. Control frames have ``kind`` (SYN_STREAM…) and ``payload``; data frames have
    ``kind`` 0 and ``stream_id``. ``headers`` and the ids are filled in by ``Connection.parse``."""

    kind: int
    flags: int = 0
    payload: bytes = b""
    stream_id: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)
    value: int = 0  # PING id, RST_STREAM / GOAWAY status, WINDOW_UPDATE delta

    @property
    def fin(self) -> bool:
        return bool(self.flags & FLAG_FIN)


class ProtocolError(Exception):
    pass


def encode_nv(headers: list[tuple[str, str]]) -> bytes:
    out = [struct.pack(">I", len(headers))]
    for k, v in headers:
        kb, vb = k.encode(), v.encode()
        out.append(struct.pack(">I", len(kb)) + kb + struct.pack(">I", len(vb)) + vb)
    return b"".join(out)


def decode_nv(block: bytes) -> list[tuple[str, str]]:
    def take(off: int) -> tuple[bytes, int]:
        if off + 4 > len(block):
            raise ProtocolError("truncated header block")
        (n,) = struct.unpack_from(">I", block, off)
        if off + 4 + n > len(block):
            raise ProtocolError("truncated header block")
        return block[off + 4:off + 4 + n], off + 4 + n

    if len(block) < 4:
        raise ProtocolError("truncated header block")
    (count,) = struct.unpack_from(">I", block, 0)
    off, out = 4, []
    for _ in range(count):
        k, off = take(off)
        v, off = take(off)
        out.append((k.decode(errors="replace"), v.decode(errors="replace")))
    return out


def control(kind: int, payload: bytes, flags: int = 0) -> bytes:
    return struct.pack(">HHI", 0x8000 | VERSION, kind, (flags << 24) | len(payload)) + payload


def data(stream_id: int, payload: bytes = b"", *, fin: bool = False) -> bytes:
    return struct.pack(">II", stream_id & 0x7FFFFFFF, ((FLAG_FIN if fin else 0) << 24) | len(payload)) + payload


def split(buf: bytearray) -> tuple[bool, int, int, int, bytes] | None:
    """Take one whole frame off the front of ``buf``: (control?, word0, flags, …, payload), or None
    until it has arrived. ``word0`` is ``version<<16|type`` for control frames, the stream id for data."""
    if len(buf) < 8:
        return None
    w0, w1 = struct.unpack_from(">II", buf, 0)
    length = w1 & 0xFFFFFF
    if len(buf) < 8 + length:
        return None
    payload = bytes(buf[8:8 + length])
    del buf[:8 + length]
    is_control = bool(w0 & 0x80000000)
    return is_control, w0 & 0x7FFFFFFF, w1 >> 24, length, payload


class Connection:
    """The framing state of one connection: its two zlib contexts. ``feed`` bytes, ``frames()``
    parses what is complete; ``syn_stream``/``syn_reply``/… build frames to send."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self._inflate = zlib.decompressobj()
        self._deflate = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, DICTIONARY)
        self._inflate_ready = False

    def _inflate_nv(self, block: bytes) -> list[tuple[str, str]]:
        try:
            if not self._inflate_ready:
                self._inflate = zlib.decompressobj(zdict=DICTIONARY)
                self._inflate_ready = True
            return decode_nv(self._inflate.decompress(block))
        except zlib.error as err:
            raise ProtocolError(f"header block: {err}") from err

    def _deflate_nv(self, headers: list[tuple[str, str]]) -> bytes:
        return self._deflate.compress(encode_nv(headers)) + self._deflate.flush(zlib.Z_SYNC_FLUSH)

    def feed(self, chunk: bytes) -> None:
        self.buf += chunk

    def frames(self) -> list[Frame]:
        out = []
        while (got := split(self.buf)) is not None:
            is_control, w0, flags, _, payload = got
            if not is_control:
                out.append(Frame(0, flags, payload, stream_id=w0))
                continue
            version, kind = w0 >> 16, w0 & 0xFFFF
            if version != VERSION:
                raise ProtocolError(f"unsupported SPDY version {version}")
            f = Frame(kind, flags, payload)
            if kind in (SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS, WINDOW_UPDATE) and len(payload) >= 4:
                f.stream_id = struct.unpack_from(">I", payload, 0)[0] & 0x7FFFFFFF
            if kind == SYN_STREAM:
                if len(payload) < 10:
                    raise ProtocolError("short SYN_STREAM")
                f.headers = self._inflate_nv(payload[10:])
            elif kind in (SYN_REPLY, HEADERS):
                f.headers = self._inflate_nv(payload[4:])
            elif kind in (RST_STREAM, WINDOW_UPDATE, GOAWAY) and len(payload) >= 8:
                f.value = struct.unpack_from(">I", payload, 4)[0] & 0x7FFFFFFF
                if kind == GOAWAY:
                    f.stream_id = struct.unpack_from(">I", payload, 0)[0] & 0x7FFFFFFF
            elif kind == PING and len(payload) >= 4:
                f.value = struct.unpack_from(">I", payload, 0)[0]
            out.append(f)
        return out

    def syn_stream(self, stream_id: int, headers: list[tuple[str, str]], *, fin: bool = False, priority: int = 0) -> bytes:
        head = struct.pack(">IIBB", stream_id, 0, (priority & 7) << 5, 0)
        return control(SYN_STREAM, head + self._deflate_nv(headers), FLAG_FIN if fin else 0)

    def syn_reply(self, stream_id: int, headers: list[tuple[str, str]] | None = None, *, fin: bool = False) -> bytes:
        return control(SYN_REPLY, struct.pack(">I", stream_id) + self._deflate_nv(headers or []), FLAG_FIN if fin else 0)


def rst_stream(stream_id: int, status: int) -> bytes:
    return control(RST_STREAM, struct.pack(">II", stream_id, status))


def ping(ping_id: int) -> bytes:
    return control(PING, struct.pack(">I", ping_id))


def goaway(last_stream_id: int, status: int = 0) -> bytes:
    return control(GOAWAY, struct.pack(">II", last_stream_id, status))


def settings(entries: dict[int, int]) -> bytes:
    body = b"".join(struct.pack(">II", k & 0xFFFFFF, v) for k, v in entries.items())
    return control(SETTINGS, struct.pack(">I", len(entries)) + body)
