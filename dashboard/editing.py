"""Saving a dashboard form to the config file, for the Household and Limits pages.

Every form carries a `version` of the values it was filled in from; a save
whose values changed since (in another window, the file, a command) is
refused rather than overwriting that change. What is wrong is said in the
parent's words (guardian.household.labels), without the file's path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from tomlkit.toml_document import TOMLDocument

from dashboard import db
from guardian.household import editor
from guardian.household.config import Config, ConfigError

CHANGED = "changed elsewhere since this page was loaded (in another window, the file or a command)"


class Refused(Exception):
    """A change that was not saved; `str()` says why in a parent's words. `conflict`: the values it was made
    from changed since."""

    def __init__(self, message: str, conflict: bool = False):
        super().__init__(message)
        self.conflict = conflict


def version(value: object) -> str:
    """A short digest of the values a form shows: the same values give the same digest in every process."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def save[T](
    change: Callable[[TOMLDocument], T],
    shown: str | None = None,
    part: Callable[[Config], object] | None = None,
    what: str = "These settings were",
) -> tuple[Config, T]:
    """Apply `change` to the config file; with `shown` (the form's version of `part` of the config), only if
    that part is still what the form showed. Raises Refused with the reason; nothing is written then."""
    s = db.get_settings()

    def expect(current: Config) -> None:
        if shown is not None and part is not None and version(part(current)) != shown:
            raise editor.Conflict(f"{what} {CHANGED}. Nothing was saved; the form now shows the current values.")

    try:
        result = editor.update(s.config.path, change, s.catalog.apps, expect)
    except ConfigError as e:
        raise Refused(e.plain) from None
    except editor.Conflict as e:
        raise Refused(str(e), conflict=True) from None
    except (ValueError, LookupError) as e:  # a change that does not fit (a child gone, a child's last say)
        raise Refused(str(e).strip("'\"")) from None
    db.get_settings()  # pick up the new file now
    return result
