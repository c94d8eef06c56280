"""The channel codec of Kubernetes' remote-command WebSocket protocols and the handshake checks
(``k9py.serve.websocket``), without a server."""

from __future__ import annotations

import json

import pytest

from k9py.serve import websocket as ws
from k9py.serve.http import Request


def _req(headers: list[tuple[str, str]], method: str = "GET") -> Request:
    return Request(method, "/api/v1/namespaces/default/pods/p/exec", {}, dict(headers), all_headers=headers)


@pytest.mark.parametrize(("name", "version", "b64", "resize", "close", "json_status"), [
    (ws.V5, 5, False, True, True, True),
    (ws.V4, 4, False, True, False, True),
    (ws.V3, 3, False, True, False, False),
    (ws.V2, 2, False, False, False, False),
    (ws.V1, 1, False, False, False, False),
    (ws.BASE64_V4, 4, True, True, False, True),
    (ws.BASE64_V1, 1, True, False, False, False),
])
def test_protocol_capabilities(name, version, b64, resize, close, json_status):
    p = ws.ChannelProtocol(name)
    assert (p.version, p.base64, p.resize, p.stream_close, p.json_status) == (version, b64, resize, close, json_status)


def test_binary_messages_carry_the_channel_in_the_first_byte():
    p = ws.ChannelProtocol(ws.V5)
    assert p.encode(ws.STDOUT, b"hi\n") == b"\x01hi\n"
    assert p.encode(ws.ERROR, b"") == b"\x03"
    assert p.decode(b"\x00ls\r") == (ws.STDIN, b"ls\r")
    assert p.decode(b'\x04{"Width":80,"Height":24}') == (ws.RESIZE, b'{"Width":80,"Height":24}')
    assert p.decode(b"") is None
    # every byte value survives (a binary stdin: kubectl cp's tar)
    blob = bytes(range(256))
    assert p.decode(p.encode(ws.STDIN, blob)) == (ws.STDIN, blob)


def test_v5_close_signal_and_older_protocols_without_it():
    assert ws.ChannelProtocol(ws.V5).decode(b"\xff\x00") == (ws.CLOSE, b"\x00")
    # before v5, 255 is just an (unknown) channel number
    assert ws.ChannelProtocol(ws.V4).decode(b"\xff\x00") == (255, b"\x00")


def test_base64_messages_are_text_with_the_channel_digit():
    p = ws.ChannelProtocol(ws.BASE64_V4)
    assert p.encode(ws.STDOUT, b"hello") == "1aGVsbG8="
    assert p.decode("0ZWNobyBoaQ0=") == (ws.STDIN, b"echo hi\r")


def test_negotiation_takes_the_clients_first_supported_protocol():
    assert ws.negotiate([ws.V5]) == ws.V5  # kubectl 1.37
    assert ws.negotiate([ws.V5, ws.V4]) == ws.V5  # the python client 37
    assert ws.negotiate(["v9.channel.k8s.io", ws.V4, ws.V5]) == ws.V4
    assert ws.negotiate([]) == ""  # no header: channel.k8s.io
    assert ws.negotiate(["portforward.k8s.io"]) is None


def test_offered_protocols_from_one_or_several_header_lines():
    req = _req([("sec-websocket-protocol", "v5.channel.k8s.io, v4.channel.k8s.io"),
                ("sec-websocket-protocol", "channel.k8s.io")])
    assert ws.offered_protocols(req) == [ws.V5, ws.V4, ws.V1]


def test_handshake_checks():
    good = [("connection", "Upgrade"), ("upgrade", "websocket"), ("sec-websocket-version", "13"),
            ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")]
    assert ws.is_websocket_upgrade(_req(good))
    assert ws.handshake_problem(_req(good)) is None
    assert ws.is_websocket_upgrade(_req([("connection", "keep-alive, Upgrade"), ("upgrade", "WebSocket")]))
    assert not ws.is_websocket_upgrade(_req([("connection", "Upgrade"), ("upgrade", "SPDY/3.1")]))
    assert "GET" in (ws.handshake_problem(_req(good, method="POST")) or "")
    assert "version" in (ws.handshake_problem(_req([*good[:2], ("sec-websocket-version", "8"), good[3]])) or "")
    assert "Sec-WebSocket-Key" in (ws.handshake_problem(_req([*good[:3], ("sec-websocket-key", "short")])) or "")


def test_exit_status_on_the_error_channel():
    ok = ws.status_message(0, ["ls"])
    assert ok == {"metadata": {}, "status": "Success"}
    failed = ws.status_message(3, ["sh", "-c", "exit 3"])
    assert failed["status"] == "Failure" and failed["reason"] == "NonZeroExitCode"
    assert failed["details"] == {"causes": [{"reason": "ExitCode", "message": "3"}]}
    assert failed["message"] == "command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3"
    # v4+: the Status as JSON; before: nothing on success, the message's text on failure
    assert json.loads(ws.error_channel_payload(ws.ChannelProtocol(ws.V5), failed) or b"") == failed
    assert ws.error_channel_payload(ws.ChannelProtocol(ws.V1), ok) is None
    assert ws.error_channel_payload(ws.ChannelProtocol(ws.V2), failed) == failed["message"].encode()
