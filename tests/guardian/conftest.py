"""Fixtures for the core's unit tests: the shipped catalog, calendars, and a request factory."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from guardian.catalog.index import Catalog
from guardian.catalog.request import Request, normalize_host
from guardian.household.config import Household
from guardian.household.periods import Calendar


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The shipped app catalog (guardian/catalog/apps/*.toml)."""
    return Catalog.load()


@pytest.fixture
def household() -> Household:
    return Household(currency="CNY", timezone="Asia/Shanghai")


@pytest.fixture
def shanghai() -> Calendar:
    return Calendar(ZoneInfo("Asia/Shanghai"), 0)


@pytest.fixture
def make_request() -> Callable[..., Request]:
    """A core Request the way the proxy adapter builds one: the host normalised, the query split into pairs."""

    def make(
        host: str,
        path: str,
        query: dict[str, str] | list[tuple[str, str]] | None = None,
        body: bytes | None = b"",
        *,
        method: str = "POST",
        content_type: str = "",
        client: str = "10.0.0.2",
        user: str | None = None,
        navigation: bool = False,
        method_override: str | None = None,
    ) -> Request:
        pairs = tuple(query.items()) if isinstance(query, dict) else tuple(query or ())
        return Request(
            client=client,
            user=user,
            method=method,
            host=normalize_host(host),
            path=path,
            query=pairs,
            content_type=content_type,
            body=body,
            navigation=navigation,
            method_override=method_override,
        )

    return make
