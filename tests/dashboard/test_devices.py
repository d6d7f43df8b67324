"""The Devices page: last seen and quiet devices, adding a phone (QR code) and removing it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytest.importorskip("dashboard.auth", reason="the dashboard (issue 3) is not merged yet")

from guardian.household import configfile  # noqa: E402
from guardian.setup import devices_seen, wireguard  # noqa: E402
from tests.dashboard.conftest import PASSWORD  # noqa: E402
from tests.support.dashboard import free_port

XSS_USER = "user:<img src=x onerror=alert(1)>"


def always_usual(config_file: Path) -> None:
    """Usual hours all day, so the quiet check does not depend on when the test runs."""
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text.replace("[household]\n", '[household]\nusual_hours = ["always"]\n', 1), encoding="utf-8"
    )


def test_devices_show_last_seen_and_flag_a_quiet_one(parent, ledger, config_file):
    always_usual(config_file)
    now = datetime.now(UTC).timestamp()
    devices_seen.record(
        ledger.conn, {"127.0.0.1": now - 3 * 3600, "10.0.0.9": now - 600, "192.168.1.50": now - 60, XSS_USER: now}
    )
    page = parent.get("/devices").text
    mia = page[page.index('data-child="Mia"') : page.index('data-child="Leo"')]
    leo = page[page.index('data-child="Leo"') :]
    assert "127.0.0.1" in mia and "3 h ago" in mia and "stopped going through Guardian" in mia
    assert (
        "10.0.0.9" in leo
        and "10 min ago" in leo
        and "stopped going through Guardian" not in leo.split("Add a phone")[0]
    )
    assert "192.168.1.50" in page  # seen, listed under no child
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_add_a_phone_shows_its_qr_code_and_remove_revokes_it(parent, config_file, ledger):
    r = parent.post("/devices/phone", data={"child": "Mia", "name": "mia-phone", "csrf_token": parent.csrf})
    assert r.status_code == 302 and r.headers["Location"].endswith("/devices/phone/mia-phone")
    page = parent.get("/devices/phone/mia-phone").text
    assert "<svg" in page and "http://mitm.it" in page and "Certificate Trust Settings" in page
    tunnel = wireguard.read(wireguard.folder(config_file) / "mia-phone.conf")
    assert f"PublicKey = {wireguard.pubkey(tunnel.server_key)}" in page
    config = configfile.load(config_file)
    assert "wireguard:mia-phone" in [d.text for d in config.child("Mia").devices]
    listing = parent.get("/devices").text
    assert "wireguard:mia-phone" in listing and "not seen yet" in listing

    r = parent.post("/devices/phone/mia-phone/remove", data={"csrf_token": parent.csrf})
    assert r.status_code == 302
    assert not tunnel.path.exists()
    assert "wireguard:mia-phone" not in config_file.read_text()
    assert parent.get("/devices/phone/mia-phone").status_code == 404
    bodies = [b for (b,) in ledger.conn.execute("SELECT body FROM journal WHERE kind = 'device' ORDER BY seq")]
    assert [json.loads(b)["action"] for b in bodies] == ["added", "removed"]


def test_changes_need_the_csrf_token_and_a_login(parent, client, config_file):
    assert parent.post("/devices/phone", data={"child": "Mia", "name": "x"}).status_code == 400
    assert wireguard.tunnels(config_file) == {}
    r = parent.post(
        "/devices/phone", data={"child": "Nobody", "name": "x", "csrf_token": parent.csrf}, follow_redirects=True
    )
    assert "Not added: there is no child called &#39;Nobody&#39;" in r.text and wireguard.tunnels(config_file) == {}
    r = parent.post(
        "/devices/phone", data={"child": "Mia", "name": "Bad Name!", "csrf_token": parent.csrf}, follow_redirects=True
    )
    assert "Not added" in r.text and wireguard.tunnels(config_file) == {}
    parent.post("/logout", data={"csrf_token": parent.csrf})
    assert parent.get("/devices").status_code == 302


@pytest.mark.browser
@pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists() or shutil.which("zbarimg") is None, reason="needs Chromium and zbarimg"
)
def test_the_qr_code_in_a_real_browser_decodes_to_the_tunnel(app, parent, tmp_path, config_file):
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    port = free_port()
    with config_file.open("a", encoding="utf-8") as f:  # the dashboard answers only at its configured address
        f.write(f'\n[dashboard]\nlisten = "127.0.0.1:{port}"\n')
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            page = browser.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"{base}/devices")
            page.select_option("select[name=child]", "Leo")
            page.fill("input[name=name]", "leo-tablet")
            page.click("form[action$='/devices/phone'] button[type=submit]")
            page.wait_for_url(re.compile(r".*/devices/phone/leo-tablet$"))
            shot = tmp_path / "qr.png"
            page.locator("figure.qr svg").screenshot(path=str(shot))
            shown = page.locator("pre").text_content()
            browser.close()
    finally:
        server.shutdown()
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(shot)], capture_output=True, text=True, check=True).stdout
    assert decoded.strip() == shown.strip() and "[Interface]" in decoded
