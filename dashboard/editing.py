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

from dashboard import db, language
from guardian.household import editor
from guardian.household.config import Config, ConfigError
from guardian.words import N_


class Refused(Exception):
    """A change that was not saved; `str()` says why in the page's language (the config's own reasons are
    English). `conflict`: the values it was made from changed since."""

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
    changed: str = "",
) -> tuple[Config, T]:
    """Apply `change` to the config file; with `shown` (the form's version of `part` of the config), only if
    that part is still what the form showed, else refused saying `changed` (a translated sentence).
    Raises Refused with the reason; nothing is written then."""
    s = db.get_settings()

    def expect(current: Config) -> None:
        if shown is not None and part is not None and version(part(current)) != shown:
            raise editor.Conflict(
                N_("%(what)s. Nothing was saved; the form now shows the current values."), what=changed
            )

    try:
        result = editor.update(s.config.path, change, s.catalog.apps, expect)
    except ConfigError as e:
        raise Refused(e.plain) from None
    except editor.Conflict as e:
        raise Refused(language.say(e), conflict=True) from None
    except ValueError as e:  # a change that does not fit (a child gone, the child unlisted devices count as)
        raise Refused(language.say(e)) from None
    db.get_settings()  # pick up the new file now
    return result
