"""The host control addon alone (with its runtime): CONNECTs, TLS pass-through and server connections."""

from __future__ import annotations

import ssl

import pytest
from mitmproxy import connection, tls
from mitmproxy.options import Options
from mitmproxy.proxy import context, mode_specs, server_hooks
from mitmproxy.test import tflow, tutils

from addons.hostcontrol import HostControl
from tests.conftest import closed_window
from tests.support.one_addon import alone, run, write_config


def connect(host: str, user: str | None = None):
    flow = tflow.tflow()
    flow.request = tutils.treq(method=b"CONNECT", host=host, port=443, path=b"", authority=f"{host}:443".encode())
    flow.client_conn.peername = ("127.0.0.1", 1)
    if user is not None:
        flow.metadata["proxyauth"] = (user, "")
    return flow


async def test_a_connect_is_refused_outside_the_apps_window_and_to_a_payment_host_once_a_cap_is_spent(tmp_path):
    config = write_config(tmp_path, f'[child.caps]\nday = "0"\n[child.windows.apps]\napple = ["{closed_window()}"]\n')
    with alone(HostControl, config) as host_control:
        apple = connect("buy.itunes.apple.com")
        assert host_control.http_connect(apple) is None  # decided without the database
        google = connect("android.clients.google.com")
        await run(host_control.http_connect(google))  # the day cap is read on the database thread
        video = connect("www.bilibili.com")
        ordinary = connect("news.example")
        assert host_control.http_connect(video) is None and host_control.http_connect(ordinary) is None
    assert (apple.response.status_code, apple.response.headers["Guardian-Reason"]) == (403, "app-window")
    assert (google.response.status_code, google.response.headers["Guardian-Reason"]) == (403, "day-cap")
    assert video.response is None and ordinary.response is None


def hello_data(sni: str | None, address=("1.2.3.4", 443)) -> tls.ClientHelloData:
    client = connection.Client(peername=("127.0.0.1", 5000), sockname=("127.0.0.1", 8080))
    ctx = context.Context(client, Options())
    ctx.server = connection.Server(address=address)
    hello = tls.ClientHello(tutils_client_hello(sni))
    return tls.ClientHelloData(ctx, hello)


def tutils_client_hello(sni: str | None) -> bytes:
    """A real TLS ClientHello, made by Python's ssl module, without its record header."""
    ctx = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = (
        ctx.wrap_bio(incoming, outgoing, server_hostname=sni)
        if sni
        else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).wrap_bio(incoming, outgoing)
    )
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()[9:]  # record header (5) and handshake header (4)


async def test_pass_through_hosts_are_not_decrypted(tmp_path):
    config = write_config(tmp_path, "")
    with alone(HostControl, config) as host_control:
        apple = hello_data("p12-buy.itunes.apple.com")
        host_control.tls_clienthello(apple)
        bilibili = hello_data("api.live.bilibili.com")
        host_control.tls_clienthello(bilibili)
        by_address = hello_data(None, address=("android.clients.google.com", 443))  # no SNI: the server's address
        host_control.tls_clienthello(by_address)
    assert apple.ignore_connection is True
    assert bilibili.ignore_connection is False
    assert by_address.ignore_connection is True


def server_data(host: str, mode: str) -> server_hooks.ServerConnectionHookData:
    client = connection.Client(
        peername=("127.0.0.1", 5000), sockname=("127.0.0.1", 8080), proxy_mode=mode_specs.ProxyMode.parse(mode)
    )
    server = connection.Server(address=("17.1.2.3", 443))
    server.sni = host
    return server_hooks.ServerConnectionHookData(server, client)


@pytest.mark.parametrize("mode", ["transparent", "wireguard:/keys/mia-phone.conf", "socks5"])
async def test_other_modes_refuse_the_server_connection_of_a_closed_app(tmp_path, mode):
    config = write_config(tmp_path, f'[child.caps]\nday = "1"\n[child.windows.apps]\napple = ["{closed_window()}"]\n')
    with alone(HostControl, config) as host_control:
        closed = server_data("buy.itunes.apple.com", mode)
        await run(host_control.server_connect(closed))
        open_ = server_data("android.clients.google.com", mode)
        await run(host_control.server_connect(open_))
        ordinary = server_data("news.example", mode)
        assert host_control.server_connect(ordinary) is None
        regular = server_data("buy.itunes.apple.com", "regular")  # judged at CONNECT instead
        assert host_control.server_connect(regular) is None
    assert "app-window" in closed.server.error
    assert open_.server.error is None and ordinary.server.error is None and regular.server.error is None


async def test_other_modes_refuse_payment_hosts_once_a_cap_is_spent(tmp_path):
    config = write_config(tmp_path, '[child.caps]\nday = "0"\n')
    with alone(HostControl, config) as host_control:
        data = server_data("android.clients.google.com", "wireguard:/keys/mia-phone.conf")
        await run(host_control.server_connect(data))
        stranger = server_data("android.clients.google.com", "wireguard:/keys/guest.conf")  # an unlisted tunnel
        await run(host_control.server_connect(stranger))
    assert "day-cap" in data.server.error
    assert stranger.server.error is None
