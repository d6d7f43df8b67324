"""Serve the dashboard with waitress and run the scheduled jobs: ``python -m dashboard.serve``.

The config comes from GUARDIAN_CONFIG (set by ``guardian run``), else the
data directory. The server binds the config's ``[dashboard] listen``
(127.0.0.1:8765 unless the parent chose otherwise). The jobs start here, in
this one process, exactly once.
"""

from __future__ import annotations

import logging
import sys

import waitress

from dashboard import create_app
from guardian import settings
from guardian.household.home import config_path
from guardian.notify import jobs
from guardian.setup import running

log = logging.getLogger("dashboard")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line every few seconds; errors still show
    path = config_path()
    try:
        config = settings.load(path).config
    except ValueError as e:
        print(f"Guardian dashboard: {e}", file=sys.stderr)
        return 2
    app = create_app({"GUARDIAN_CONFIG": str(path), "START_JOBS": False})
    scheduler = jobs.start(config)  # here, once: waitress has no reloader
    listen = config.dashboard
    print(f"Guardian dashboard on http://{listen.host}:{listen.port}/", flush=True)
    try:
        waitress.serve(app, host=listen.host, port=listen.port, threads=4, ident=running.DASHBOARD_IDENT)
    except OSError as e:  # its address taken since `guardian run` looked: one line, not a traceback
        print(f"Guardian dashboard: cannot listen on {listen.host}:{listen.port}: {e.strerror}", file=sys.stderr)
        return 1
    finally:
        scheduler.shutdown(wait=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
