"""Whether a Guardian already runs on this computer: its ports are taken, and its dashboard says its name.

Two Guardians cannot share an address: the service and a manual `guardian run`, or autostart and a
second start, would fight over the proxy's port (and the second would die with a traceback). The
command asks first and says where the running one is.
"""

from __future__ import annotations

import errno
import http.client
import socket
from dataclasses import dataclass

from guardian.household.config import Listen

DASHBOARD_IDENT = "Guardian"  # the dashboard's Server header (dashboard/serve.py gives it to waitress)


def taken(listen: Listen) -> bool:
    """Whether something already listens on `listen` (a bind there would fail as the proxy's would)."""
    family = socket.AF_INET6 if ":" in listen.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio and waitress bind: TIME_WAIT is free
        try:
            s.bind((listen.host, listen.port))
        except OSError as e:
            return e.errno in (errno.EADDRINUSE, errno.EACCES) or getattr(e, "winerror", None) == 10048
    return False


def reachable_host(host: str) -> str:
    """The address to reach a listener on `host` from this computer ("0.0.0.0" is not one)."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


def is_dashboard(listen: Listen, timeout: float = 1.0) -> bool:
    """Whether Guardian's dashboard answers on `listen`."""
    conn = http.client.HTTPConnection(reachable_host(listen.host), listen.port, timeout=timeout)
    try:
        conn.request("HEAD", "/login")
        return conn.getresponse().getheader("Server", "") == DASHBOARD_IDENT
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


@dataclass(frozen=True, slots=True)
class Busy:
    """What stands in the way of starting: the addresses taken, and whether Guardian's dashboard is one."""

    proxy: Listen | None
    dashboard: Listen | None
    guardian: bool


def busy(proxy: Listen, dashboard: Listen, with_dashboard: bool = True) -> Busy | None:
    """None when the proxy's address (and the dashboard's, `with_dashboard`) is free; else what is taken.

    Whether the one in the way is Guardian is asked of the dashboard's address either way: a Guardian
    started with the same config has its dashboard there.
    """
    proxy_taken = proxy if taken(proxy) else None
    dashboard_taken = dashboard if with_dashboard and taken(dashboard) else None
    if proxy_taken is None and dashboard_taken is None:
        return None
    return Busy(proxy_taken, dashboard_taken, is_dashboard(dashboard))
