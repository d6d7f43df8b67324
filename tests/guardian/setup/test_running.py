"""Whether a Guardian already runs here: a taken address, and a dashboard that says its name."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from guardian.household.config import Listen
from guardian.setup import running


def free() -> Listen:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return Listen("127.0.0.1", s.getsockname()[1])


@pytest.fixture
def listening() -> Iterator[Listen]:
    with socket.create_server(("127.0.0.1", 0)) as s:
        yield Listen("127.0.0.1", s.getsockname()[1])


def serve(ident: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def version_string(self) -> str:
            return ident

        def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
            self.send_response(302)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_taken_address_is_taken_and_a_free_one_is_not(listening: Listen):
    assert running.taken(listening)
    assert not running.taken(free())
    assert running.taken(Listen("0.0.0.0", listening.port))  # "everywhere" includes the loopback one in use


@pytest.mark.parametrize(("ident", "guardian"), [("Guardian", True), ("nginx", False)])
def test_the_dashboard_is_known_by_its_server_header(ident: str, guardian: bool):
    server = serve(ident)
    try:
        board = Listen("127.0.0.1", server.server_address[1])
        assert running.is_dashboard(board) is guardian
        found = running.busy(free(), board)
        assert found == running.Busy(None, board, guardian)
    finally:
        server.shutdown()
        server.server_close()
    assert not running.is_dashboard(board)  # nobody answers


def test_busy_is_none_when_both_addresses_are_free_and_looks_at_the_dashboard_only_when_asked(listening: Listen):
    assert running.busy(free(), free()) is None
    assert running.busy(free(), listening, with_dashboard=False) is None
    assert running.busy(listening, free()) == running.Busy(listening, None, False)


@pytest.mark.parametrize(("host", "reach"), [("0.0.0.0", "127.0.0.1"), ("::", "::1"), ("192.168.1.2", "192.168.1.2")])
def test_an_address_to_reach_a_listener(host: str, reach: str):
    assert running.reachable_host(host) == reach
