"""Shared fixtures: the fake app servers, a household config, and a real mitmdump with Guardian."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from guardian.catalog.index import Catalog
from guardian.catalog.model import example_host
from tests.support import fakeapps
from tests.support.proxy import Proxy

ORDINARY_HOST = "news.example"
TZ = "Asia/Shanghai"


def catalog_hosts() -> list[str]:
    """Every name the fake apps' certificate must hold: "*.x" app hosts as a wildcard and as x itself, and one
    example host for each one-label glob ("p*-buy..." as "p25-buy...")."""
    hosts = {ORDINARY_HOST}
    catalog = Catalog.load()
    for app in catalog.apps.values():
        for host in app.hosts:
            hosts.add(host)
            hosts.add(host.removeprefix("*."))
        rule_hosts = [h for rule in app.rules for h in rule.hosts] + [h for spec in app.gift_lists for h in spec.hosts]
        hosts.update(example_host(h) for h in (*rule_hosts, *app.passthrough, *app.payment_hosts))
    return sorted(hosts)


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real data directory, and the terminal asks for English (whatever this
    machine's locale): tests of the household's default language (Chinese) remove LANGUAGE themselves."""
    monkeypatch.setenv("GUARDIAN_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.delenv("GUARDIAN_CONFIG", raising=False)
    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.delenv("SUDO_USER", raising=False)  # who an administrator is: the tests' own account
    monkeypatch.delenv("DOAS_USER", raising=False)


@pytest.fixture(scope="session")
def fake_apps_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[fakeapps.FakeApps]:
    apps, servers = fakeapps.start(tmp_path_factory.mktemp("apps"), catalog_hosts())
    yield apps
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake_apps(fake_apps_session: fakeapps.FakeApps) -> fakeapps.FakeApps:
    fake_apps_session.reset()
    return fake_apps_session


def closed_window(tz: str = TZ, now: datetime | None = None) -> str:
    """A daily window that does not contain `now` (it opens in 3 hours, for one hour)."""
    local = (now or datetime.now(UTC)).astimezone(ZoneInfo(tz))
    start = local + timedelta(hours=3)
    end = start + timedelta(hours=1)
    return f"daily {start:%H}:00-{end:%H}:00"


def household_config(child: str = "", *, unknown: str = "allow", tz: str = TZ, db: str = "guardian.db") -> str:
    """A config with one child on this machine's loopback address; `child` adds lines to its table."""
    return textwrap.dedent(
        f"""\
        [household]
        currency = "CNY"
        timezone = "{tz}"
        week_starts = "monday"
        unknown_devices = "{unknown}"
        [storage]
        path = "{db}"
        [[child]]
        name = "Mia"
        devices = ["127.0.0.1"]
        """
    ) + textwrap.dedent(child)


@pytest.fixture
def start_proxy(tmp_path: Path, fake_apps: fakeapps.FakeApps) -> Iterator[Callable[..., Proxy]]:
    started: list[Proxy] = []

    def start(config_text: str, extra: list[str] | None = None, name: str = "guardian.toml") -> Proxy:
        config = tmp_path / name
        config.write_text(config_text, encoding="utf-8")
        proxy = Proxy(
            config=config,
            confdir=tmp_path / "mitmproxy",
            apps_ca=fake_apps.ca,
            https_upstream=fake_apps.https_port,
            http_upstream=fake_apps.http_port,
            extra=extra or [],
        )
        started.append(proxy)
        return proxy.start()

    yield start
    for proxy in started:
        proxy.stop()
