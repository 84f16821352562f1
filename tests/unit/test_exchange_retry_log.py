"""A retried POST to the peer is told in one readable line, not stamina's bare "stamina.retry_scheduled"."""

from __future__ import annotations

import logging
import socket

import httpx
import pytest

from straitlink.exchange.sender import http_post


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed on leaving: a connection there is refused


def test_a_retry_is_one_line_naming_the_address_and_the_cause(caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{closed_port()}/exchange/v1/inbox"
    with httpx.Client() as client, caplog.at_level(logging.DEBUG), pytest.raises(httpx.ConnectError):
        http_post(client, attempts=2, timeout=1)(url, {"messages": []})
    said = [r.getMessage() for r in caplog.records]
    assert not [m for m in said if "stamina" in m], said
    ours = [r for r in caplog.records if r.name == "straitlink.exchange"]
    assert len(ours) == 1 and ours[0].levelno == logging.DEBUG, said
    assert url in ours[0].getMessage() and "ConnectError" in ours[0].getMessage() and "retry 1" in ours[0].getMessage()
