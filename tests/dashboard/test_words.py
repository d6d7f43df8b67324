"""The dashboard in Chinese and English: every page, logged in, with a household that has something on each
(tests/support/demo.py), shows no word of the other language; the browser's language and the switch pick it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dashboard import create_app
from tests.dashboard.conftest import HOST, token
from tests.support import demo

ACCEPT = {"zh": "zh-CN,zh;q=0.9,en;q=0.5", "en": "en-US,en;q=0.9"}
PAGES = [
    "/",
    "/week",
    "/limits",
    "/notifications",
    "/approvals",
    "/devices",
    "/devices/phone/mia-phone",
    "/evidence",
    "/evidence/export?child=Mia&format=html&from=2026-03-02&to=2026-03-01",  # the error page
    "/apps",
]
# Names and technical tokens a Chinese page may show in Latin letters.
PROPER = (
    "Guardian",
    "Home Assistant",
    "App Store",
    "Google Play",
    "WireGuard Development Team",
    "Scan from QR code",
    "TikTok",
)
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ \t]+[A-Za-z][A-Za-z'’-]*)+")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")
COMMAND = re.compile(r"`[^`\n]*`")
SKIP = {"script", "style", "code", "pre", "kbd"}  # technical text: commands, paths, keys
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class Words(HTMLParser):
    """The text a reader of `language` sees: text and labelling attributes, without technical elements
    and without anything marked as another language (lang="..."), such as the switch's other button."""

    def __init__(self, language: str):
        super().__init__()
        self.language, self.stack, self.found = language, [], []

    def _hidden(self) -> bool:
        return any(tag in SKIP or (lang and not lang.startswith(self.language)) for tag, lang in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        inherited = next((lang for _, lang in reversed(self.stack) if lang), None)
        self.stack.append((tag, attrs.get("lang") or inherited))
        if not self._hidden():
            self.found += [attrs[a] for a in ATTRIBUTES if attrs.get(a)]
        if tag in ("input", "meta", "link", "br", "img", "hr"):
            self.stack.pop()

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.found.append(data)


def seen(html: str, language: str) -> str:
    parser = Words(language)
    parser.feed(html)
    text = "\n".join(parser.found)  # one text never runs into the next
    text = COMMAND.sub(" ", text)  # `guardian approvals approve 3` in a notification: a command, as in <code>
    for name in sorted((*demo.DATA, *PROPER), key=len, reverse=True):
        text = text.replace(name, " ")
    return text


def foreign(text: str, language: str) -> list[str]:
    """Runs of two or more English words on a Chinese page; any Chinese on an English page."""
    return ENGLISH_RUN.findall(text) if language == "zh" else CJK.findall(text)


@pytest.fixture(scope="module")
def household(tmp_path_factory) -> Path:
    return demo.make(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def browser(household):
    app = create_app({"GUARDIAN_CONFIG": str(household), "TESTING": True, "SERVER_NAME": HOST})
    return app.test_client()


def log_in(client, language: str):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = ACCEPT[language]
    page = client.get("/login")
    r = client.post("/login", data={"password": demo.PASSWORD, "csrf_token": token(page.text)})
    assert r.status_code == 302, r.text
    return page.text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_page_speaks_one_language(browser, language):
    login = log_in(browser, language)
    pages = {"/login": login}
    for path in PAGES:
        r = browser.get(path)
        assert r.status_code in (200, 400), (path, r.status_code)
        pages[path] = r.text
    problems = {path: foreign(seen(html, language), language) for path, html in pages.items()}
    assert {path: found for path, found in problems.items() if found} == {}
    html_lang = {"zh": 'lang="zh-CN"', "en": 'lang="en"'}[language]
    assert all(html_lang in html.split(">", 2)[1] for html in pages.values())


def test_the_pages_show_what_the_checks_look_for(browser):
    # Guards the test above against passing vacuously: the demo data is on the pages, in the words expected.
    log_in(browser, "zh")
    live = browser.get("/").text
    assert "金额未知" in live and "金额无法读取" in live and "哔哩哔哩" in live and "超过单笔上限" in live
    assert "unreadable" not in live and "Bilibili" not in live
    assert "待您确认" in browser.get("/approvals").text and "所有消费已暂停" in browser.get("/limits").text
    week = browser.get("/week").text
    assert "金额未知" in week and "已拦截" in week
    feed = browser.get("/live.json").json["attempts"]
    assert {a["amount"] for a in feed} >= {"金额未知", "金额无法读取", "12.00 CNY"}
    assert {a["app"] for a in feed} == {"哔哩哔哩", "YouTube"}
    assert foreign("This week 本周", "zh") == ["This week"] and foreign("本周 Leo", "en") == ["本周"]
    assert seen('<p>a <code>guardian run</code> <b lang="en">English words</b> b `run it`</p>', "zh").split() == [
        "a",
        "b",
    ]


def test_the_english_page_names_apps_in_english(browser):
    log_in(browser, "en")
    live = browser.get("/").text
    assert "Bilibili" in live and "amount unknown" in live and "amount unreadable" in live and "哔哩哔哩" not in live
    assert {a["app"] for a in browser.get("/live.json").json["attempts"]} == {"Bilibili", "YouTube"}


def test_the_switch_is_on_every_page_and_remembered(browser):
    log_in(browser, "en")
    page = browser.get("/week").text
    assert 'action="/language"' in page and ">中文<" in page and 'aria-pressed="true" class="here">English' in page
    r = browser.post("/language", data={"language": "zh", "next": "/week", "csrf_token": token(page)})
    assert r.status_code == 302 and r.headers["Location"] == "/week"
    assert "guardian_language=zh" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]
    assert "本周" in browser.get("/week").text  # the cookie beats the browser's English
    r = browser.post("/language", data={"language": "xx", "next": "//evil.example/", "csrf_token": token(page)})
    assert r.headers["Location"] == "/" and "guardian_language" not in r.headers.get("Set-Cookie", "")
    assert browser.post("/language", data={"language": "en"}).status_code == 400  # CSRF as for every change


def test_without_a_browser_preference_the_household_language_holds(household, tmp_path):
    app = create_app({"GUARDIAN_CONFIG": str(household), "TESTING": True, "SERVER_NAME": HOST})
    assert "登录" in app.test_client().get("/login").text  # the household's default, Chinese
    english = tmp_path / "guardian.toml"
    english.write_text('[household]\nlanguage = "en"\n', encoding="utf-8")
    app = create_app({"GUARDIAN_CONFIG": str(english), "TESTING": True, "SERVER_NAME": HOST})
    assert "Welcome to Guardian" in app.test_client().get("/setup").text
