"""Guardian's dashboard: the Flask adapter for parents.

Run alone with ``flask --app dashboard run --port PORT`` (config from
GUARDIAN_CONFIG, else the data directory; PORT as in its ``[dashboard]
listen``: the dashboard answers only at its own address), or as ``python -m dashboard.serve`` (what
``guardian run`` starts: a WSGI server plus the scheduled jobs).

Each area is one blueprint in ``dashboard/<area>.py`` with a ``register(app)``
that registers it and appends ``(endpoint, label)`` to ``app.config["NAV"]``;
``create_app`` imports and registers every area by name, in menu order.
Templates extend ``base.html`` (blocks ``title`` and ``content``); views use
``auth.login_required``; every form posts ``csrf_token``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask

from guardian.household import secretfile
from guardian.household.home import config_path
from guardian.household.money import format_amount


def _secret_key(folder: Path) -> bytes:
    """Generated once, kept beside the ledger (never in the config), readable by the owner only."""
    return secretfile.create_once(folder / "dashboard-secret")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        GUARDIAN_CONFIG=str(config_path()),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_NAME="guardian_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=64 * 1024,
        NAV=[],
    )
    if config:
        app.config.update(config)
    from dashboard import (
        agent,
        approvals,
        auth,
        catalog,
        channels,
        db,
        devices,
        evidence,
        limits,
        live,
        notices,
        week,
        words,
    )

    settings = db.init_app(app)
    private = settings.config.storage.parent  # the ledger's folder: in service mode /var/lib/guardian (0700)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(private)
    words.init_app(app)
    auth.init_app(app, private)
    app.jinja_env.filters["amount"] = format_amount
    for area in (live, week, limits, notices, channels, auth, approvals, devices, evidence, catalog, agent):
        area.register(app)
    if app.config.get("START_JOBS", os.environ.get("GUARDIAN_JOBS") == "1"):
        start_jobs(app, settings.config)
    return app


def start_jobs(app: Flask, config) -> object | None:
    """Start the scheduled jobs unless this is the reloader's watching parent (which would run them twice)."""
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    from guardian.notify import jobs

    scheduler = jobs.start(config)
    app.extensions["guardian_jobs"] = scheduler
    return scheduler
