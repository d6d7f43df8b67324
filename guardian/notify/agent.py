"""The agent in the parent's desktop session: shows what the service queued for it, and says when it is gone.

A service running as its own account cannot reach another account's session,
so this small loop runs as the parent (a user unit or autostart entry that
`guardian install` puts in place) and asks the service's dashboard every few
seconds for the notifications waiting for it, with a token that only the
parent's account can read. Each answer also tells the service what was shown
(and what failed), so nothing is lost and nothing is shown twice.

If the service cannot be reached for `down_after` seconds, the parent is told
on this desktop ("Guardian is not running"), and again when it is back.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from guardian.notify.desktop import Notifier, NotifyError
from guardian.words import N_, both

PATH = "/agent/notes"
# In both languages: the agent cannot read the household's language setting when Guardian is down.
DOWN = (both(N_("Guardian is not running")), both(N_("Purchases are not being checked now")))
BACK = (both(N_("Guardian is running again")), both(N_("Purchases are checked again")))


class Unreachable(Exception):
    """The service did not answer (or refused the token); the message says why."""


Fetch = Callable[[str, str, list[int], str | None], list[dict]]


def fetch(url: str, token: str, shown: list[int], error: str | None) -> list[dict]:
    """The real request: GET url/agent/notes?shown=...&error=..., the token in the Authorization header."""
    query = {"shown": ",".join(map(str, shown))} | ({"error": error[:300]} if error else {})
    request = urllib.request.Request(
        f"{url.rstrip('/')}{PATH}?{urllib.parse.urlencode(query)}", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (a local URL the parent set)
            data = json.loads(response.read(256 * 1024))
    except urllib.error.HTTPError as e:
        raise Unreachable(f"the service answered {e.code}") from None
    except (OSError, ValueError) as e:
        raise Unreachable(str(e)[:200]) from None
    notes = data.get("notes") if isinstance(data, dict) else None
    if not isinstance(notes, list):
        raise Unreachable("the service's answer was not a list of notes")
    return notes


def read_token(path: Path) -> str | None:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return token or None


@dataclass
class Agent:
    url: str
    token: str
    notifier: Notifier
    fetch: Fetch = fetch
    down_after: float = 30
    shown: list[int] = field(default_factory=list)
    error: str | None = None
    failing_since: float | None = None
    told_down: bool = False

    def once(self, now: float) -> None:
        """One visit: report what was shown, show what waits; tell the parent when the service is gone or back."""
        try:
            notes = self.fetch(self.url, self.token, self.shown, self.error)
        except Unreachable:
            self.failing_since = now if self.failing_since is None else self.failing_since
            if not self.told_down and now - self.failing_since >= self.down_after:
                self.told_down = self._show(*DOWN)
            return
        self.failing_since = None
        if self.told_down:
            self.told_down = not self._show(*BACK)
        self.shown, self.error = [], None
        for note in notes:
            try:
                self.notifier.notify(str(note.get("title", "")), str(note.get("body", "")))
            except NotifyError as e:
                self.error = str(e)
                break  # the rest wait for the next visit, in order
            self.shown.append(int(note["id"]))

    def _show(self, title: str, body: str) -> bool:
        try:
            self.notifier.notify(title, body)
        except NotifyError:
            return False
        return True
