"""The SPDY/3.1 codec under port-forward (``k9py.serve.spdy``): frame layout byte for byte, the
header dictionary, compressed name/value blocks across frames, partial input."""

from __future__ import annotations

import struct
import zlib

import pytest

from k9py.serve import spdy


def test_dictionary_is_spdy3s():
    d = spdy.DICTIONARY
    assert len(d) == 1423
    assert d.startswith(b"\x00\x00\x00\x07options\x00\x00\x00\x04head\x00\x00\x00\x04post")
    assert b"\x00\x00\x00\x06status\x00\x00\x00\x06200 OK\x00\x00\x00\x07version\x00\x00\x00\x08HTTP/1.1" in d
    assert d.endswith(b"utf-,*,enq=0.")
    assert zlib.adler32(d) == 0xE3C6A7C2  # the dictionary id in every SPDY/3 header stream


def test_data_frame_layout():
    assert spdy.data(5, b"hi") == b"\x00\x00\x00\x05\x00\x00\x00\x02hi"
    assert spdy.data(7, fin=True) == b"\x00\x00\x00\x07\x01\x00\x00\x00"


def test_control_frame_layout():
    assert spdy.ping(9) == b"\x80\x03\x00\x06\x00\x00\x00\x04\x00\x00\x00\x09"
    assert spdy.rst_stream(3, spdy.CANCEL) == b"\x80\x03\x00\x03\x00\x00\x00\x08\x00\x00\x00\x03\x00\x00\x00\x05"
    assert spdy.goaway(11) == b"\x80\x03\x00\x07\x00\x00\x00\x08\x00\x00\x00\x0b\x00\x00\x00\x00"
    assert spdy.settings({7: 65536}) == (b"\x80\x03\x00\x04\x00\x00\x00\x0c\x00\x00\x00\x01"
                                         b"\x00\x00\x00\x07\x00\x01\x00\x00")


def test_syn_stream_and_reply_round_trip_with_one_zlib_context_per_direction():
    client, server = spdy.Connection(), spdy.Connection()
    wire = b""
    for sid, kind in ((1, "error"), (3, "data")):
        wire += client.syn_stream(sid, [("streamtype", kind), ("port", "80"), ("requestid", "0")])
    wire += spdy.data(1, fin=True) + spdy.data(3, b"GET / HTTP/1.1\r\n\r\n")
    assert wire[:4] == b"\x80\x03\x00\x01"
    server.feed(wire)
    frames = server.frames()
    assert [(f.kind, f.stream_id) for f in frames] == [(spdy.SYN_STREAM, 1), (spdy.SYN_STREAM, 3), (0, 1), (0, 3)]
    assert frames[1].headers == [("streamtype", "data"), ("port", "80"), ("requestid", "0")]
    assert frames[2].fin and not frames[3].fin and frames[3].payload == b"GET / HTTP/1.1\r\n\r\n"
    # the second block only decodes in the same context as the first (shared zlib state)
    lone = spdy.Connection()
    lone.feed(wire[len(wire) // 2:])
    with pytest.raises((spdy.ProtocolError, struct.error)):
        lone.frames()
    reply = server.syn_reply(3)
    client.feed(reply)
    (f,) = client.frames()
    assert (f.kind, f.stream_id, f.headers) == (spdy.SYN_REPLY, 3, [])


def test_frames_wait_for_the_whole_frame():
    conn = spdy.Connection()
    raw = spdy.ping(1) + spdy.data(1, b"abcdef")
    for i in range(len(raw) - 1):
        conn.feed(raw[i:i + 1])
        assert all(f.kind == spdy.PING for f in conn.frames())
    conn.feed(raw[-1:])
    (f,) = conn.frames()
    assert f.payload == b"abcdef" and not conn.buf


def test_parsed_control_values():
    conn = spdy.Connection()
    conn.feed(spdy.ping(42) + spdy.rst_stream(5, spdy.CANCEL) + spdy.goaway(9, 1)
              + spdy.control(spdy.WINDOW_UPDATE, struct.pack(">II", 3, 1000)))
    got = [(f.kind, f.stream_id, f.value) for f in conn.frames()]
    assert got == [(spdy.PING, 0, 42), (spdy.RST_STREAM, 5, spdy.CANCEL), (spdy.GOAWAY, 9, 1), (spdy.WINDOW_UPDATE, 3, 1000)]


def test_bad_input():
    conn = spdy.Connection()
    conn.feed(b"\x80\x02\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01")  # SPDY/2
    with pytest.raises(spdy.ProtocolError):
        conn.frames()
    with pytest.raises(spdy.ProtocolError):
        spdy.decode_nv(b"\x00\x00\x00\x01\x00\x00\x00\x09ab")
    assert spdy.decode_nv(spdy.encode_nv([("a", "1"), ("b", "x\x00y")])) == [("a", "1"), ("b", "x\x00y")]
