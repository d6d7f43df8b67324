"""The language of the page being made, and what the views show in it: core errors and app names."""

from __future__ import annotations

from flask import request
from flask_babel import get_locale

from dashboard import db
from guardian import words
from guardian.store import changes
from guardian.words import N_

COOKIE = "guardian_language"


def select() -> str:
    """The parent's choice from the switch (a cookie), else the browser's Accept-Language, else the household's."""
    chosen = request.cookies.get(COOKIE)
    if chosen in words.LANGUAGES:
        return chosen
    return request.accept_languages.best_match(words.LANGUAGES) or db.get_settings().config.household.language


def current() -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in words.LANGUAGES else words.DEFAULT


def say(error: Exception) -> str:
    """A core error's message in the page's language, when the catalog has it."""
    return words.say(error, words.of(current()))


AUTHORS = {changes.PARENT_DASHBOARD: N_("parent (dashboard)"), "parent (command line)": N_("parent (command line)")}


def author(who: str | None) -> str:
    """Who made a change or answered, in the page's language; an account by its name."""
    _ = words.of(current())
    if not who:
        return ""
    if who in AUTHORS:
        return _(AUTHORS[who])
    if who.startswith("administrator "):
        return _("administrator %(account)s", account=who.removeprefix("administrator "))
    return who


def app_name(app_id: str | None) -> str:
    """An app id as the reader knows the app (抖音 / Douyin); an id no rule file knows any more stays as it is."""
    if not app_id:
        return ""
    app = db.get_settings().catalog.apps.get(app_id)
    return app.name_in(current()) if app is not None else app_id
