"""Scheduled jobs of the dashboard process (APScheduler is imported only here).

Jobs are module-level functions with explicit arguments, so each can be run
and tested on its own. `start` registers them once (ids, replace_existing,
max_instances=1) with an error listener; the caller makes sure only one
process starts them (the WSGI server, never the reloader's parent).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler

from guardian import settings
from guardian.evidence import reports, retention
from guardian.household import configfile
from guardian.household.config import Config
from guardian.household.reload import Follower
from guardian.household.windows import DAYS
from guardian.notify import addressbook, channels, delivery, health, relay, transport
from guardian.notify.desktop import Notifier
from guardian.store.db import connect, ms
from guardian.words import DEFAULT

log = logging.getLogger(__name__)


def deliver_outbox(db: Path, notifier: Notifier, household: Follower[Config] | None = None) -> delivery.Report:
    """Send the pending notifications; summaries in the household's language as the config says now."""
    language = DEFAULT
    if household is not None:
        household.poll()
        language = household.current.household.language
    conn = connect(db)
    try:
        return delivery.deliver(conn, notifier, ms(datetime.now(UTC)), language)
    finally:
        conn.close()


def deliver_phones(follower: Follower[settings.Settings]) -> channels.Report | None:
    """Send what waits for the parent's phone channels (config and addresses read afresh: the dashboard edits them)."""
    follower.poll()
    s = follower.current
    try:
        book = addressbook.load(addressbook.path_for(s.config))
    except addressbook.AddressBookError as e:
        log.error("phone channels not served: %s", e)  # the file, the entry and the reason; never an address
        book = {}
    names = {app.id: app.name_in(s.config.household.language) for app in s.catalog.apps.values()}
    conn = connect(s.config.storage)
    try:
        report = channels.deliver(conn, s.config, book, names, transport.PhoneNotifier, ms(datetime.now(UTC)))
    finally:
        conn.close()
    if report.failed:
        log.warning("phone channels: %d message(s) failed; the Notifications page says why", report.failed)
    return report


def quiet_devices(path: Path) -> int:
    """Tell the parent about devices that stopped going through Guardian (once per silence)."""
    config = _config(path)
    conn = connect(config.storage)
    try:
        return len(health.quiet_devices(conn, config, datetime.now(UTC)))
    finally:
        conn.close()


def _config(path: Path) -> Config:
    """The config as it is now (a job may run weeks after the scheduler started)."""
    return settings.load(path).config


def weekly_summary(path: Path) -> reports.Report | None:
    config = _config(path)
    conn = connect(config.storage)
    try:
        return reports.weekly(conn, config, datetime.now(UTC))
    finally:
        conn.close()


def purge_old(path: Path) -> bool:
    """Purge the records older than [storage] keep_days; False if skipped (keep_days = 0 keeps everything)."""
    config = _config(path)
    if not config.keep_days:
        return False
    before = datetime.now(UTC) - timedelta(days=config.keep_days)
    conn = connect(config.storage)
    try:
        retention.purge(conn, ms(before))
    finally:
        conn.close()
    return True


class _Overlap(logging.Filter):
    """Drops APScheduler's "skipped: maximum number of running instances" for the phone job: it runs four times a
    second, and a run waiting on a slow channel makes the next ones skip, by design, not once a line each."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (str(record.msg).startswith("Execution of job") and "deliver_phones" in record.getMessage())


_OVERLAP = _Overlap()


def _on_error(event: JobExecutionEvent) -> None:
    log.error("job %s failed: %r", event.job_id, event.exception, exc_info=event.exception)


def start(
    config: Config, notifier: Notifier | None = None, every_seconds: float = 3, phone_seconds: float = 0.25
) -> BackgroundScheduler:
    """Start the scheduler with the outbox (desktop and phones), weekly-summary and retention jobs.

    The jobs reload the config when they run; the weekly time, the database path and the desktop (the
    parent's, guardian.notify.relay; none when [notifications] desktop_user is unset) are read once, here.
    """
    tz = config.household.calendar.tz
    scheduler = BackgroundScheduler(timezone=tz)
    scheduler.add_listener(_on_error, EVENT_JOB_ERROR)
    common = dict(replace_existing=True, max_instances=1, coalesce=True)
    notifier = notifier or relay.desktop(config)
    if notifier is not None:
        scheduler.add_job(
            deliver_outbox,
            "interval",
            seconds=every_seconds,
            args=[config.storage, notifier, Follower(config.path, configfile.load)],
            id="deliver-outbox",
            next_run_time=datetime.now(tz),
            **common,
        )
    else:
        log.info("desktop notifications are off: [notifications] desktop_user names no parent's account")
    # Four times a second (an idle run costs under 1 ms): a question's purchase is held for about 25 s, and the
    # parent's phone should buzz in the first.
    follower = Follower(config.path, settings.load, lambda: settings.watched_files(config.path))
    logging.getLogger("apscheduler.scheduler").addFilter(_OVERLAP)  # the same one, however often start runs
    scheduler.add_job(
        deliver_phones,
        "interval",
        seconds=phone_seconds,
        args=[follower],
        id="deliver-phones",
        next_run_time=datetime.now(tz),
        **common,
    )
    if config.weekly is not None:
        w = config.weekly
        scheduler.add_job(
            weekly_summary,
            "cron",
            day_of_week=DAYS[w.day],
            hour=w.hour,
            minute=w.minute,
            args=[config.path],
            id="weekly-summary",
            misfire_grace_time=6 * 3600,
            **common,
        )
    scheduler.add_job(
        quiet_devices, "interval", minutes=5, args=[config.path], id="quiet-devices", misfire_grace_time=600, **common
    )
    scheduler.add_job(
        purge_old, "cron", hour=3, minute=30, args=[config.path], id="retention", misfire_grace_time=24 * 3600, **common
    )
    scheduler.start()
    return scheduler
