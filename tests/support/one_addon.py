"""One of Guardian's addons alone with its runtime, the way mitmproxy's taddons runs an addon.

Not called addons.py: mitmdump leaves a script's folder on sys.path (route_addon.py's is this one), where a
module of that name would hide the `addons` package from the next script.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mitmproxy.test import taddons, tflow, tutils

from addons.runtime import Runtime


@contextmanager
def alone(make: Callable[[Runtime], object], config: Path) -> Iterator[object]:
    """`make(runtime)`'s addon and its runtime, configured with `config`; both are done on leaving."""
    runtime = Runtime()
    addon = make(runtime)
    with taddons.context(addon, runtime) as tctx:
        tctx.configure(runtime, guardian_config=str(config))
        try:
            yield addon
        finally:
            for each in (addon, runtime):  # the runtime last: it closes the database thread
                if hasattr(each, "done"):
                    each.done()


async def run(result: object) -> None:
    """Await what a hook returned, if it is a coroutine (only purchases and database work get one)."""
    if inspect.isawaitable(result):
        await result


def flow(method: str, host: str, path: str, body: bytes = b"", client: str = "127.0.0.1", **headers: str):
    """A flow to `host` as the app sends it: the Host header and the authority agree with the target."""
    f = tflow.tflow()
    f.client_conn.peername = (client, 50000)
    f.request = tutils.treq(
        method=method.encode(),
        host=host,
        port=443,
        scheme=b"https",
        path=path.encode(),
        authority=host.encode(),
        headers=((b"host", host.encode()), *((k.replace("_", "-").encode(), v.encode()) for k, v in headers.items())),
        content=body,
    )
    return f


def write_config(tmp_path: Path, child: str) -> Path:
    """The household config with `child` lines for Mia, a rate for Twitch bits and Mia's phone tunnel listed."""
    from tests.conftest import household_config

    path = tmp_path / "guardian.toml"
    text = household_config(child).replace(
        'unknown_devices = "allow"\n', 'unknown_devices = "allow"\nrates = { BITS = "0.1" }\n'
    )
    text = text.replace('devices = ["127.0.0.1"]', 'devices = ["127.0.0.1", "wireguard:mia-phone"]')
    path.write_text(text, encoding="utf-8")
    return path
