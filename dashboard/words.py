"""The dashboard in Chinese and English: Flask-Babel on guardian's own catalog, and the 中文 | English switch.

Templates translate with ``_("...")``, ``ngettext`` and ``{% trans %}``; views with ``flask_babel.gettext``;
an app id becomes its name in the page's language with the ``app_name`` filter. The language is chosen in
dashboard/language.py.
"""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, request
from flask_babel import Babel

from dashboard import auth, db, language
from guardian import words

bp = Blueprint("words", __name__)
YEAR = 365 * 24 * 3600
HTML_LANG = {"zh": "zh-CN", "en": "en"}


@bp.post("/language")
def switch():
    chosen = request.form.get("language", "")
    response = redirect(auth.safe_next(request.form.get("next")))
    if chosen in words.LANGUAGES:
        response.set_cookie(language.COOKIE, chosen, max_age=YEAR, httponly=True, samesite="Strict")
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(words.LOCALE_DIR))
    app.config.setdefault("BABEL_DOMAIN", words.DOMAIN)
    Babel(app, locale_selector=language.select, default_locale=words.DEFAULT)
    app.jinja_env.filters["app_name"] = language.app_name
    app.jinja_env.globals["author"] = language.author
    app.jinja_env.globals.update(
        languages=words.NAMES,
        page_language=language.current,
        html_lang=lambda: HTML_LANG[language.current()],
        # Texts written when they happened (notifications, weekly summaries) are in the household's language.
        stored_lang=lambda: HTML_LANG[db.get_settings().config.household.language],
    )
    app.register_blueprint(bp)
    auth.OPEN.add("words.switch")  # the login page has the switch too
