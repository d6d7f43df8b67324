"""The dashboard's language: the parent's choice from the switch on every page (a cookie), else the
browser's Accept-Language, else the household's setting. Flask-Babel reads guardian's own catalog.

Templates translate with ``_("...")`` / ``ngettext``; views with ``flask_babel.gettext``; an app id
becomes its name in the page's language with the ``app_name`` filter (抖音 in Chinese, Douyin in English).
"""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, request
from flask_babel import Babel, get_locale

from dashboard import auth, db
from guardian import words

bp = Blueprint("words", __name__)
COOKIE = "guardian_language"
YEAR = 365 * 24 * 3600
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def select() -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in words.LANGUAGES:
        return chosen
    return request.accept_languages.best_match(words.LANGUAGES) or db.get_settings().config.household.language


def language() -> str:
    """The language of the page being made."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in words.LANGUAGES else words.DEFAULT


def app_name(app_id: str | None) -> str:
    """An app id as the reader knows the app; an id no rule file knows any more stays as it is."""
    if not app_id:
        return ""
    app = db.get_settings().catalog.apps.get(app_id)
    return app.name_in(language()) if app is not None else app_id


@bp.post("/language")
def switch():
    chosen = request.form.get("language", "")
    response = redirect(auth._safe_next(request.form.get("next")))
    if chosen in words.LANGUAGES:
        response.set_cookie(COOKIE, chosen, max_age=YEAR, httponly=True, samesite="Strict")
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(words.LOCALE_DIR))
    app.config.setdefault("BABEL_DOMAIN", words.DOMAIN)
    Babel(app, locale_selector=select, default_locale=words.DEFAULT)
    app.jinja_env.filters["app_name"] = app_name
    app.jinja_env.globals.update(languages=words.NAMES, page_language=language, html_lang=lambda: HTML_LANG[language()])
    app.register_blueprint(bp)
    auth.OPEN.add("words.switch")  # the login page has the switch too
