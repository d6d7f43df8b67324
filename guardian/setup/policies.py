"""Machine-wide proxy and certificate settings that a child's account cannot change, as file contents.

Each function returns the text of one policy file (pure, so every platform's
plan can share it and tests can read it): Chrome, Chromium and Edge managed
policies, Firefox's policies.json, GNOME's dconf system database with locks.
"""

from __future__ import annotations

import base64
import json

from cryptography import x509
from cryptography.hazmat.primitives import serialization

BYPASS = "<local>"  # the machine itself: the dashboard on 127.0.0.1 stays reachable


def der_base64(pem: bytes) -> str:
    """The certificate as Chrome's CACertificates policy wants it (base64 of DER, no PEM armour)."""
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    return base64.b64encode(der).decode()


def chromium(proxy: str, ca_pem: bytes) -> str:
    """Managed policy for Chrome, Chromium and Edge: a fixed proxy the user cannot change, and trust in the CA."""
    policy = {
        "ProxySettings": {"ProxyMode": "fixed_servers", "ProxyServer": proxy, "ProxyBypassList": BYPASS},
        "CACertificates": [der_base64(ca_pem)],
        # A child who runs the browser with --proxy-server or --no-proxy-server still meets the firewall; the
        # QUIC path would skip the proxy's HTTP/1-2 handling, so it is switched off as well.
        "QuicAllowed": False,
    }
    return json.dumps(policy, indent=2) + "\n"


def firefox(proxy: str, ca_path: str, existing: str | None = None) -> str:
    """Firefox's policies.json with a locked proxy and the CA, merged into the family's existing policies."""
    try:
        data = json.loads(existing) if existing else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict) or not isinstance(data.get("policies", {}), dict):
        data = {}
    policies = dict(data.get("policies", {}))
    policies["Proxy"] = {
        "Mode": "manual",
        "Locked": True,
        "HTTPProxy": proxy,
        "SSLProxy": proxy,
        "UseHTTPProxyForAllProtocols": True,
        "Passthrough": "localhost, 127.0.0.1, ::1",
    }
    certificates = dict(policies.get("Certificates", {}))
    certificates["Install"] = sorted({*certificates.get("Install", []), ca_path})
    policies["Certificates"] = certificates
    return json.dumps({**data, "policies": policies}, indent=2) + "\n"


def dconf_keys(host: str, port: int) -> str:
    """GNOME's proxy in the dconf system database ("local")."""
    return (
        "# Written by `guardian install`; `guardian install --undo` removes it.\n"
        "[system/proxy]\nmode='manual'\nignore-hosts=['localhost', '127.0.0.0/8', '::1']\n\n"
        f"[system/proxy/http]\nhost='{host}'\nport={port}\n\n"
        f"[system/proxy/https]\nhost='{host}'\nport={port}\n"
    )


DCONF_LOCKS = "\n".join(
    [
        "# The proxy keys cannot be changed from a user's session.",
        "/system/proxy/mode",
        "/system/proxy/ignore-hosts",
        "/system/proxy/http/host",
        "/system/proxy/http/port",
        "/system/proxy/https/host",
        "/system/proxy/https/port",
        "",
    ]
)
