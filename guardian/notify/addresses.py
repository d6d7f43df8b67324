"""A phone channel's address as the parent copies it from the app, turned into the URL apprise sends to.

What the parent pastes, by kind (``token`` is the form's second field, ``to`` the third):

    pushplus  the token from pushplus.plus, or https://www.pushplus.plus/send?token=TOKEN
    bark      the URL the Bark app shows: https://api.day.app/KEY/ (or a Bark server of your own)
    ntfy      the topic's URL: http://192.168.1.5/kids-abc123 or https://ntfy.sh/kids-abc123; token: an access token
    dingtalk  the group robot's Webhook URL (…/robot/send?access_token=…); token: its signing secret (加签), if set
    feishu    the group bot's webhook URL (…/open-apis/bot/v2/hook/…)
    wecom     the group robot's webhook URL (…/cgi-bin/webhook/send?key=…)
    email     smtps://USER@SERVER:465 (TLS), smtp://USER@SERVER:587 (STARTTLS) or smtp+plain://SERVER:25
              (a mail server on the home network only); token: the password; to: who receives it
    webhook   any http(s) URL: Guardian POSTs JSON ({"title", "message", "type", "version"}) to it

Every URL asks for plain text and no images (``image=no``), so the phone fetches nothing from the
internet. The address is a secret: `Address.shown` is the masked form the dashboard may show, and
`Address.server` the host (not secret) that error messages may name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from guardian.household.routes import KINDS, Limits
from guardian.words import N_, Said, Words

MAX_ADDRESS = 500
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,128}$")
_PUSHPLUS = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_EMAIL = re.compile(r"^[^@\s,;<>\"]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$")
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:.]+\]$")
NTFY_SH = Limits(12, 250)
BARK, NTFY, WEBHOOK = (
    "https://api.day.app/KEY/",
    "http://192.168.1.5/kids-topic",
    "http://192.168.1.5:8123/api/webhook/guardian",
)
# How the dashboard names each kind, in the order it offers them (the ones Chinese families use first).
KIND_NAMES = {
    "pushplus": N_("PushPlus (WeChat)"),
    "bark": N_("Bark (iPhone)"),
    "ntfy": N_("ntfy (Android, home network)"),
    "dingtalk": N_("DingTalk group robot"),
    "feishu": N_("Feishu group bot"),
    "wecom": N_("WeCom group robot"),
    "email": N_("Email"),
    "webhook": N_("Webhook (Home Assistant, Node-RED)"),
}
# A channel's name when the parent gives none.
BRANDS = {
    "pushplus": "PushPlus",
    "bark": "Bark",
    "ntfy": "ntfy",
    "dingtalk": "DingTalk",
    "feishu": "Feishu",
    "wecom": "WeCom",
    "email": "Email",
    "webhook": "Webhook",
}
# How a failure names who answered.
LABELS = {
    "pushplus": "PushPlus",
    "bark": "Bark",
    "ntfy": "ntfy",
    "dingtalk": "DingTalk",
    "feishu": "Feishu",
    "wecom": "WeCom",
    "email": N_("The mail server"),
    "webhook": N_("The webhook"),
}  # ntfy.sh: 250 messages a day for a visitor without an account


@dataclass(frozen=True, slots=True)
class Address:
    kind: str
    url: str  # the apprise URL: a secret
    shown: str  # masked, for the dashboard
    server: str  # host[:port], for messages about failures

    def limits(self) -> Limits:
        """The service's documented limits (ntfy.sh's own, or the kind's)."""
        if self.kind == "ntfy" and self.server.split(":")[0].lower() == "ntfy.sh":
            return NTFY_SH
        return KINDS[self.kind]


def mask(secret: str) -> str:
    """All but the last three characters hidden (fewer when it is short)."""
    keep = 3 if len(secret) >= 12 else 1 if len(secret) >= 6 else 0
    return "****" + (secret[-keep:] if keep else "")


class _Garbled(Said):
    """A value that is not what its service gives; `what` names it and is translated with the message."""

    def in_(self, words: Words) -> str:
        return words(self.message, what=words(self.values["what"]))


def _token(text: str, what: str, pattern: re.Pattern = _TOKEN) -> str:
    """`what` names the value (marked N_)."""
    if not pattern.match(text):
        raise _Garbled(N_("%(what)s should be letters, digits, '-' or '_' only; check it was copied whole"), what=what)
    return text


@dataclass(frozen=True, slots=True)
class _Parts:
    scheme: str
    host: str
    port: int | None
    path: list[str]
    query: dict[str, list[str]]
    user: str | None
    raw_path: str  # as written

    @property
    def server(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.port else host


def _url(text: str, example: str) -> _Parts:
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise Said(N_("not an address like %(example)s"), example=example) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not _HOST.match(parts.hostname):
        raise Said(N_("not an address like %(example)s"), example=example)
    path = [p for p in parts.path.split("/") if p]
    return _Parts(parts.scheme, parts.hostname, port, path, parse_qs(parts.query), parts.username, parts.path or "/")


def _query_or_last(text: str, key: str, example: str) -> str:
    """A token given alone, in ``?key=``, or as the URL's last path part."""
    if "://" not in text:
        return text
    parts = _url(text, example)
    if key in parts.query:
        return parts.query[key][0]
    if parts.path:
        return parts.path[-1]
    raise Said(N_("no %(key)s in the address; copy the whole URL, like %(example)s"), key=key, example=example)


def parse(kind: str, address: str, token: str = "", to: str = "") -> Address:
    """The parent's words for a channel, checked; raises `Said` (a ValueError) saying what to fix."""
    address, token, to = address.strip(), token.strip(), to.strip()
    if kind not in KINDS:
        raise Said(N_("unknown kind of channel %(kind)r; one of %(kinds)s"), kind=kind, kinds=", ".join(KINDS))
    if not address:
        raise Said(N_("the address is missing"))
    if len(address) > MAX_ADDRESS or len(token) > MAX_ADDRESS or len(to) > MAX_ADDRESS:
        raise Said(N_("the address is too long"))
    return _PARSERS[kind](address, token, to)


def _pushplus(address: str, token: str, to: str) -> Address:
    key = _token(
        _query_or_last(address, "token", "https://www.pushplus.plus/send?token=…"), N_("The PushPlus token"), _PUSHPLUS
    )
    return Address("pushplus", f"pushplus://{key}?format=text", f"PushPlus {mask(key)}", "www.pushplus.plus")


def _bark(address: str, token: str, to: str) -> Address:
    p = _url(address, BARK)
    if not p.path:
        raise Said(N_("no device key in the address; copy the URL the Bark app shows, like %(example)s"), example=BARK)
    key = _token(p.path[0], N_("The Bark device key"))
    url = f"{'barks' if p.scheme == 'https' else 'bark'}://{p.server}/{key}?image=no&format=text"
    return Address("bark", url, f"Bark {p.scheme}://{p.server}/{mask(key)}", p.server)


def _ntfy(address: str, token: str, to: str) -> Address:
    p = _url(address, NTFY)
    if len(p.path) != 1:
        raise Said(N_("expected the topic's address, like %(example)s (one name after the host)"), example=NTFY)
    topic = _token(p.path[0], N_("The ntfy topic"), _TOPIC)
    scheme, server = p.scheme, p.server
    auth = ""
    if token:
        auth = f"{quote(_token(token, N_('The access token')), safe='')}@"
    query = "mode=private&image=no&format=text" + ("&auth=token" if token else "")
    url = f"{'ntfys' if scheme == 'https' else 'ntfy'}://{auth}{server}/{topic}?{query}"
    shown = f"ntfy {scheme}://{server}/{mask(topic)}" + (" +token" if token else "")
    return Address("ntfy", url, shown, server)


def _dingtalk(address: str, token: str, to: str) -> Address:
    key = _token(
        _query_or_last(address, "access_token", "https://oapi.dingtalk.com/robot/send?access_token=…"),
        N_("The DingTalk access token"),
    )
    secret = f"{_token(token, N_('The signing secret'))}@" if token else ""
    shown = f"DingTalk {mask(key)}" + (" +sign" if token else "")
    return Address("dingtalk", f"dingtalk://{secret}{key}/?format=text", shown, "oapi.dingtalk.com")


def _feishu(address: str, token: str, to: str) -> Address:
    key = _token(
        _query_or_last(address, "token", "https://open.feishu.cn/open-apis/bot/v2/hook/…"), N_("The Feishu hook")
    )
    return Address("feishu", f"feishu://{key}?format=text", f"Feishu {mask(key)}", "open.feishu.cn")


def _wecom(address: str, token: str, to: str) -> Address:
    key = _token(
        _query_or_last(address, "key", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"),
        N_("The WeCom robot key"),
    )
    return Address("wecom", f"wecombot://{key}?format=text", f"WeCom {mask(key)}", "qyapi.weixin.qq.com")


_SMTP = {"smtps": ("mailtos", "ssl", 465), "smtp": ("mailtos", "starttls", 587), "smtp+plain": ("mailto", "", 25)}


def _email(address: str, token: str, to: str) -> Address:
    example = "smtps://you@example.com@smtp.example.com:465"
    scheme, _, rest = address.partition("://")
    if scheme not in _SMTP or not rest:
        raise Said(
            N_("expected the mail server like %(example)s (smtps://, smtp:// or smtp+plain://)"), example=example
        )
    user, _, hostport = rest.rstrip("/").rpartition("@")
    host, _, port_text = hostport.partition(":")
    if not _HOST.match(host) or (port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536)):
        raise Said(N_("expected the mail server like %(example)s"), example=example)
    if not _EMAIL.match(to):
        raise Said(N_("the recipient should be an email address like %(example)s"), example="mum@example.com")
    apprise_scheme, mode, default_port = _SMTP[scheme]
    port = int(port_text) if port_text else default_port
    # A mail server named by its address has no domain to send from: home.arpa is the home network's (RFC 8375).
    sender = user if _EMAIL.match(user) else f"guardian@{host if _EMAIL.match(f'guardian@{host}') else 'home.arpa'}"
    login = f"{quote(user, safe='')}:{quote(token, safe='')}@" if user and token else ""
    query = f"smtp={host}&from={quote(sender, safe='@')}&to={quote(to, safe='@')}&format=text"
    query += f"&mode={mode}" if mode else ""
    url = f"{apprise_scheme}://{login}{host}:{port}/?{query}"
    name, _, domain = to.partition("@")
    return Address("email", url, f"email → {mask(name)}@{domain} ({host}:{port})", f"{host}:{port}")


def _webhook(address: str, token: str, to: str) -> Address:
    p = _url(address, WEBHOOK)
    if p.user:
        raise Said(N_("put no user name or password in a webhook's address"))
    # apprise's json:// takes the URL's own query parameters written as -name=value.
    query = "&".join(f"-{quote(k, safe='')}={quote(v, safe='')}" for k, values in p.query.items() for v in values)
    url = f"{'jsons' if p.scheme == 'https' else 'json'}://{p.server}{p.raw_path}" + (f"?{query}" if query else "")
    shown = f"webhook {p.scheme}://{p.server}/" + (mask("/".join(p.path)) if p.path else "")
    return Address("webhook", url, shown, p.server)


_PARSERS = {
    "pushplus": _pushplus,
    "bark": _bark,
    "ntfy": _ntfy,
    "dingtalk": _dingtalk,
    "feishu": _feishu,
    "wecom": _wecom,
    "email": _email,
    "webhook": _webhook,
}
