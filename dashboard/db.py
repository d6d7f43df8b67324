"""Per-request database access and the followed config, for views."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app, g

from guardian import settings
from guardian.household.home import ensure_config
from guardian.household.reload import Follower
from guardian.store.db import ms, own_the_journal
from guardian.store.ledger import Ledger

log = logging.getLogger(__name__)
_poll_lock = threading.Lock()
EXTENSION = "guardian"


def init_app(app: Flask) -> settings.Settings:
    path = Path(app.config["GUARDIAN_CONFIG"])
    ensure_config(path)  # like the proxy: a first start writes the commented default
    follower = Follower(path, settings.load, lambda: settings.watched_files(path))
    app.extensions[EXTENSION] = follower
    ledger = Ledger(follower.current.config.storage)  # create the file and its tables before the first request
    try:
        own_the_journal(ledger.conn)  # and the chain key, as the service's account (an older chain switches to it)
    finally:
        ledger.close()
    app.teardown_appcontext(close_ledger)
    return follower.current


def get_settings() -> settings.Settings:
    """The config and catalog, reloaded when the file changed; the last good one on a bad edit."""
    follower: Follower = current_app.extensions[EXTENSION]
    with _poll_lock:  # waitress serves several requests at once; one reload at a time
        follower.poll()
        return follower.current


def config_error() -> str | None:
    """Why the config file on disk is not the one in force, if it is not."""
    return current_app.extensions[EXTENSION].error


def get_ledger() -> Ledger:
    if "ledger" not in g:
        g.ledger = Ledger(get_settings().config.storage)
    return g.ledger


def conn():
    return get_ledger().conn


def close_ledger(_exc: BaseException | None = None) -> None:
    ledger = g.pop("ledger", None)
    if ledger is not None:
        ledger.close()


def now() -> datetime:
    return datetime.now(UTC)


def now_ms() -> int:
    return ms(now())
