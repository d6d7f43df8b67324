"""Sending to a phone channel through apprise (imported only here, and only by the dashboard's job process).

`PhoneNotifier` is a `Notifier` like the desktop's: ``notify(title, body)``,
and ``send(message)`` with a question's link and priority. A failure is data:
`NotifyError` with plain words for the parent ("ntfy answered 401
Unauthorized: check the topic's access token") and a ``permanent`` flag (the
address or a key is wrong: trying again soon will not help), never an
exception of apprise's or the network's.

apprise logs what it sends, addresses included, so its logger is kept to
itself: nothing it says reaches the service's log. The words are made from
what it reported (an HTTP status, a socket error), with every piece of the
address that could be a secret replaced by ``****``.
"""

from __future__ import annotations

import http
import logging
import re
from urllib.parse import quote

import apprise

from guardian.notify.addresses import LABELS, Address
from guardian.notify.desktop import NotifyError
from guardian.notify.messages import Message
from guardian.words import N_, Words
from guardian.words import of as words_of

EN = words_of("en")

_apprise_log = logging.getLogger("apprise")
_apprise_log.propagate = False  # its records carry addresses: they go to the captures below, and nowhere else
_apprise_log.addHandler(logging.NullHandler())  # and never to logging's last-resort stderr handler
_apprise_log.setLevel(logging.DEBUG)  # the socket error (refused, timed out) is only in its debug records
logging.getLogger("urllib3").setLevel(logging.INFO)  # its debug lines name each request's path: a webhook's secret

TIMEOUT = 10  # seconds for one message, retries included
_CREDENTIAL = {
    "pushplus": N_("check the token"),
    "bark": N_("check the device key"),
    "ntfy": N_("check the topic's access token"),
    "dingtalk": N_("check the robot's address and its signing secret"),
    "feishu": N_("check the bot's address"),
    "wecom": N_("check the robot's key"),
    "email": N_("check the user name and password"),
    "webhook": N_("check the address"),
}
_SOCKET = (
    (re.compile(r"refused", re.I), N_("connection refused (is the server running, and the address right?)")),
    (re.compile(r"timed? ?out", re.I), N_("no answer in time (is the server on, and on this network?)")),
    (
        re.compile(r"Name or service not known|nodename nor servname|getaddrinfo|resolve", re.I),
        N_("the name could not be found (no internet, or a typo in the address?)"),
    ),
    (re.compile(r"CERTIFICATE|SSL|TLS", re.I), N_("its certificate was not accepted")),
    (re.compile(r"reset|aborted|RemoteDisconnected|closed", re.I), N_("the connection was cut")),
    (re.compile(r"unreachable", re.I), N_("the network cannot reach it")),
)
_PUSHPLUS_PERMANENT = (302, 401, 403, 903, 905, 907, 908)  # not logged in, a wrong or blocked token


def _secrets(url: str) -> list[str]:
    """Every run of the address that could be a token, longest first."""
    return sorted(set(re.findall(r"[A-Za-z0-9_\-]{6,}", url)), key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    for secret in _secrets(url):
        text = text.replace(secret, "****")
    return " ".join(text.split())[:200]


def label(kind: str, _: Words) -> str:
    """Who answered, as a failure names it: the service ("ntfy"), or "The mail server"."""
    return _(LABELS[kind])


def _http(kind: str, code: int, _: Words) -> tuple[str, bool]:
    try:
        phrase = http.HTTPStatus(code).phrase
    except ValueError:
        phrase = ""
    if code in (401, 403):
        advice, permanent = _(_CREDENTIAL[kind]), True
    elif code == 404:
        advice, permanent = _("check the address and the topic") if kind == "ntfy" else _("check the address"), True
    elif code == 413:
        advice, permanent = _("the message was too large for it"), False
    elif code == 429:
        advice, permanent = _("it limits how often Guardian may send; messages wait and go out grouped"), False
    elif code >= 500:
        advice, permanent = _("the server has a problem; Guardian will try again"), False
    else:
        advice, permanent = _("check the address"), True
    words = _(
        "%(who)s answered %(code)s %(phrase)s: %(advice)s", who=label(kind, _), code=code, phrase=phrase, advice=advice
    )
    return " ".join(words.split()), permanent


def explain(address: Address, logs: list[str], _: Words) -> tuple[str, bool]:
    """Plain words for what went wrong, and whether it is permanent, from apprise's records of one attempt."""
    kind, who = address.kind, label(address.kind, _)
    text = "\n".join(logs)
    if m := re.search(r"PushPlus notification: code=(\d+): ([^\n]{0,120})", text):
        code, said = int(m.group(1)), scrub(m.group(2), address.url).rstrip(".")
        words = _(
            "PushPlus answered code %(code)s: %(said)s (%(advice)s)", code=code, said=said, advice=_(_CREDENTIAL[kind])
        )
        return words, code in _PUSHPLUS_PERMANENT
    if m := re.search(r"rejected our notification: code=(\d+) msg=([^\n]{0,120})", text):
        said = scrub(m.group(2), address.url)
        advice = _(_CREDENTIAL[kind])
        return _(
            "%(who)s refused it: code %(code)s %(said)s (%(advice)s)",
            who=who,
            code=m.group(1),
            said=said,
            advice=advice,
        ), True
    if m := re.search(r"error=(\d{3,5})\b", text):
        return _http(kind, int(m.group(1)[:3]), _)
    if m := re.search(r"SMTP\w*Error:? \(?(\d{3})", text) or re.search(r"\((5\d\d|4\d\d), b'", text):
        code = int(m.group(1))
        if code in (530, 534, 535):
            return _(
                "The mail server refused to log in (%(code)s): %(advice)s", code=code, advice=_(_CREDENTIAL[kind])
            ), True
        return _("The mail server answered %(code)s: check the recipient and the sender", code=code), code >= 500
    for pattern, why in _SOCKET:
        if any(pattern.search(line) for line in logs if "Exception" in line or "error" in line.lower()):
            return _(
                "Could not reach %(who)s at %(server)s: %(why)s", who=who, server=address.server, why=_(why)
            ), False
    last = next((line for line in reversed(logs) if line.strip()), "")
    if last:
        return _("%(who)s did not take the message: %(said)s", who=who, said=scrub(last, address.url)), False
    return _("%(who)s did not take the message", who=who), False


def url_for(address: Address, message: Message) -> str:
    """The address with what this one message asks for: its link to tap, and a raised priority."""
    extra = []
    if address.kind == "ntfy":
        extra += ["priority=max"] if message.urgent else []  # max is ntfy's priority 5
        extra += [f"click={quote(message.link, safe='')}"] if message.link else []
    elif address.kind == "bark":
        extra += ["level=critical"] if message.urgent else []
        extra += [f"click={quote(message.link, safe='')}"] if message.link else []
    elif address.kind == "webhook":
        extra += [":urgent=yes"] if message.urgent else []
        extra += [f":link={quote(message.link, safe='')}"] if message.link else []
    if not extra:
        return address.url
    return address.url + ("&" if "?" in address.url else "?") + "&".join(extra)


class PhoneNotifier:
    """One of the parent's channels. `send` returns nothing when the channel took the message; a failure's words
    are in `words`' language (the household's for the job, the page's for a test from the dashboard)."""

    def __init__(self, address: Address, words: Words = EN, timeout: float = TIMEOUT):
        self.address, self.words, self.timeout = address, words, timeout

    def notify(self, title: str, body: str) -> None:
        self.send(Message(title, body))

    def send(self, message: Message) -> None:
        asset = apprise.AppriseAsset(
            storage_mode="memory", service_timeout=self.timeout, result_log_disk_size=0, secure_logging=True
        )
        notifier = apprise.Apprise(asset=asset)
        _ = self.words
        if not notifier.add(url_for(self.address, message)):
            raise NotifyError(
                _("apprise does not understand the %(kind)s address; add it again", kind=self.address.kind), True
            )
        logs: list[str] = []
        try:
            result = notifier.notify(
                body=message.body, title=message.title, body_format=apprise.NotifyFormat.TEXT, log_level=logging.DEBUG
            )
            ok = bool(result)
            for service in result:
                for attempt in service:
                    logs += [entry.message for entry in attempt.logs]
            logs += [entry.message for entry in result.call_logs()]
        except Exception as e:  # a fault inside apprise or a plugin is a failed try like any other
            who = label(self.address.kind, _)
            raise NotifyError(_("%(who)s failed inside apprise (%(error)s)", who=who, error=type(e).__name__)) from None
        if not ok:
            words, permanent = explain(self.address, logs, _)
            raise NotifyError(words, permanent)
