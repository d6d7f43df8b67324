"""Desktop notifications: a `Notifier` protocol and the plyer adapter (plyer is imported only here).

A notifier's failure is data: `notify` raises `NotifyError` with a reason the
dashboard shows, and the outbox row stays pending until a later try works.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from typing import Protocol

MAX_TITLE, MAX_BODY = 120, 300
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class NotifyError(Exception):
    """Delivery failed; the message says why. `permanent`: trying again soon will not help (a wrong key)."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Notifier(Protocol):
    def notify(self, title: str, body: str) -> None: ...


def clean(text: str, limit: int) -> str:
    """Notification text: no control or bidi characters, bounded, never empty."""
    text = _CONTROL.sub("", text).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text or "-"


class PlyerNotifier:
    """plyer's Linux backend: D-Bus when python-dbus is installed, else `notify-send`.

    plyer's notify-send backend ignores the program's exit status (it uses
    ``subprocess.call``), so a failing notify-send would look delivered; the
    subclass below keeps plyer's arguments and checks the status.
    """

    def __init__(self, app_name: str = "Guardian", timeout: float = 10):
        self.app_name, self.timeout = app_name, timeout

    def _backend(self):
        from plyer.platforms.linux import notification as linux

        try:
            import dbus  # noqa: F401

            return linux.NotifyDbus()
        except ImportError:
            pass
        if shutil.which("notify-send") is None:
            raise NotifyError("no desktop notifier: install python3-dbus or notify-send (Debian: libnotify-bin)")
        timeout = self.timeout

        class CheckedNotifySend(linux.NotifySendNotification):
            def _notify(self, **kwargs):
                args = [
                    "notify-send",
                    kwargs.get("title", ""),
                    kwargs.get("message", ""),
                    "-i",
                    kwargs.get("icon", ""),
                    "-h",
                    kwargs.get("hint", "string::"),
                    "-u",
                    kwargs.get("urgency", "normal"),
                    "-c",
                    kwargs.get("category", ""),
                    "-a",
                    kwargs.get("app_name", ""),
                    "-t",
                    str(kwargs.get("expire_time", "0")),
                ]
                done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
                if done.returncode != 0:
                    why = (done.stderr or done.stdout or "").strip().splitlines()
                    raise NotifyError(
                        f"notify-send exited with {done.returncode}: {why[-1][:200] if why else 'no message'}"
                    )

        return CheckedNotifySend()

    def notify(self, title: str, body: str) -> None:
        backend = self._backend()
        try:
            # The body may be read as markup by the notification server (<b>, <a>, <img>): escape it.
            body = html.escape(clean(body, MAX_BODY), quote=False)
            backend.notify(title=clean(title, MAX_TITLE), message=body, app_name=self.app_name)
        except NotifyError:
            raise
        except Exception as e:  # any backend error (D-Bus down, program missing, timeout) is a failed try
            raise NotifyError(f"{type(e).__name__}: {str(e)[:200]}") from e
