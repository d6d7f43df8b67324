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

_apprise_log = logging.getLogger("apprise")
_apprise_log.propagate = False  # its records carry addresses: they go to the captures below, and nowhere else
_apprise_log.addHandler(logging.NullHandler())  # and never to logging's last-resort stderr handler
_apprise_log.setLevel(logging.DEBUG)  # the socket error (refused, timed out) is only in its debug records
logging.getLogger("urllib3").setLevel(logging.INFO)  # its debug lines name each request's path: a webhook's secret

TIMEOUT = 10  # seconds for one message, retries included
LABEL = LABELS
_CREDENTIAL = {
    "pushplus": "check the token",
    "bark": "check the device key",
    "ntfy": "check the topic's access token",
    "dingtalk": "check the robot's address and its 加签 secret",
    "feishu": "check the bot's address",
    "wecom": "check the robot's key",
    "email": "check the user name and password",
    "webhook": "check the address",
}
_SOCKET = (
    (re.compile(r"refused", re.I), "connection refused (is the server running, and the address right?)"),
    (re.compile(r"timed? ?out", re.I), "no answer in time (is the server on, and on this network?)"),
    (
        re.compile(r"Name or service not known|nodename nor servname|getaddrinfo|resolve", re.I),
        "the name could not be found (no internet, or a typo in the address?)",
    ),
    (re.compile(r"CERTIFICATE|SSL|TLS", re.I), "its certificate was not accepted"),
    (re.compile(r"reset|aborted|RemoteDisconnected|closed", re.I), "the connection was cut"),
    (re.compile(r"unreachable", re.I), "the network cannot reach it"),
)


def _secrets(url: str) -> list[str]:
    """Every run of the address that could be a token, longest first."""
    return sorted(set(re.findall(r"[A-Za-z0-9_\-]{6,}", url)), key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    for secret in _secrets(url):
        text = text.replace(secret, "****")
    return " ".join(text.split())[:200]


def _http(kind: str, code: int, said: str) -> tuple[str, bool]:
    try:
        phrase = http.HTTPStatus(code).phrase
    except ValueError:
        phrase = said or "an error"
    head = f"{LABEL[kind]} answered {code} {phrase}"
    if code in (401, 403):
        return f"{head}: {_CREDENTIAL[kind]}", True
    if code == 404:
        return f"{head}: check the address" + (" and the topic" if kind == "ntfy" else ""), True
    if code == 413:
        return f"{head}: the message was too large for it", False
    if code == 429:
        return f"{head}: it limits how often Guardian may send; messages wait and go out grouped", False
    if code >= 500:
        return f"{head}: the server has a problem; Guardian will try again", False
    return f"{head}: check the address", code < 500


def explain(address: Address, logs: list[str]) -> tuple[str, bool]:
    """Plain words for what went wrong, and whether it is permanent, from apprise's records of one attempt."""
    kind, label = address.kind, LABEL[address.kind]
    text = "\n".join(logs)
    if m := re.search(r"PushPlus notification: code=(\d+): ([^\n]{0,120})", text):
        code = int(m.group(1))
        said = scrub(m.group(2), address.url).rstrip(".")
        return f"PushPlus answered code {code}: {said} ({_CREDENTIAL[kind]})", code in (
            302,
            401,
            403,
            903,
            905,
            907,
            908,
        )
    if m := re.search(r"rejected our notification: code=(\d+) msg=([^\n]{0,120})", text):
        return f"{label} refused it: code {m.group(1)} {scrub(m.group(2), address.url)} ({_CREDENTIAL[kind]})", True
    if m := re.search(r"error=(\d{3,5})\b", text):
        code = int(m.group(1)[:3])
        said = re.search(r": ([^:\n]{1,60}), error=", text)
        return _http(kind, code, said.group(1) if said else "")
    if m := re.search(r"SMTP\w*Error:? \(?(\d{3})", text) or re.search(r"\((5\d\d|4\d\d), b'", text):
        code = int(m.group(1))
        if code in (530, 534, 535):
            return f"The mail server refused to log in ({code}): {_CREDENTIAL[kind]}", True
        return f"The mail server answered {code}: check the recipient and the sender", code >= 500
    for pattern, words in _SOCKET:
        if any(pattern.search(line) for line in logs if "Exception" in line or "error" in line.lower()):
            return f"Could not reach {label} at {address.server}: {words}", False
    last = next((line for line in reversed(logs) if line.strip()), "")
    return f"{label} did not take the message" + (f": {scrub(last, address.url)}" if last else ""), False


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
    """One of the parent's channels. `send` returns nothing when the channel took the message."""

    def __init__(self, address: Address, timeout: float = TIMEOUT):
        self.address, self.timeout = address, timeout

    def notify(self, title: str, body: str) -> None:
        self.send(Message(title, body))

    def send(self, message: Message) -> None:
        asset = apprise.AppriseAsset(
            storage_mode="memory", service_timeout=self.timeout, result_log_disk_size=0, secure_logging=True
        )
        notifier = apprise.Apprise(asset=asset)
        if not notifier.add(url_for(self.address, message)):
            raise NotifyError(f"apprise does not understand the {self.address.kind} address; add it again", True)
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
            raise NotifyError(f"{LABEL[self.address.kind]} failed inside apprise ({type(e).__name__})") from None
        if not ok:
            words, permanent = explain(self.address, logs)
            raise NotifyError(words, permanent)
