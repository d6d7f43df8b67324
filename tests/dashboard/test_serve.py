"""Starting the dashboard: `flask --app dashboard run`, and the jobs started once."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from dashboard import create_app
from tests.support.dashboard import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_flask_run_serves_the_dashboard(config_file):
    port = free_port()
    with config_file.open("a", encoding="utf-8") as f:  # it answers only at its configured address
        f.write(f'\n[dashboard]\nlisten = "127.0.0.1:{port}"\n')
    env = {**os.environ, "GUARDIAN_CONFIG": str(config_file)}
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "dashboard", "run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        end = time.monotonic() + 15
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/", follow_redirects=True, timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < end and process.poll() is None, "flask run did not start"
                time.sleep(0.1)
        assert r.status_code == 200 and "欢迎使用 Guardian" in r.text
    finally:
        process.terminate()
        process.wait(10)


def test_jobs_start_only_outside_the_reloaders_parent(config_file, monkeypatch):
    me = getpass.getuser()  # the parent runs Guardian in their own session: notifications show here
    config_file.write_text(config_file.read_text() + f'\n[notifications]\ndesktop_user = "{me}"\n')
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    app = create_app({"GUARDIAN_CONFIG": str(config_file), "DEBUG": True, "START_JOBS": True})
    assert "guardian_jobs" not in app.extensions  # the watching parent: the child will start them
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    app = create_app({"GUARDIAN_CONFIG": str(config_file), "DEBUG": True, "START_JOBS": True})
    scheduler = app.extensions["guardian_jobs"]
    try:
        assert {j.id for j in scheduler.get_jobs()} == {
            "deliver-outbox",
            "deliver-phones",
            "quiet-devices",
            "weekly-summary",
            "retention",
        }
    finally:
        scheduler.shutdown(wait=False)
    assert "guardian_jobs" not in create_app({"GUARDIAN_CONFIG": str(config_file)}).extensions


def test_secret_key_is_generated_once_and_kept_private(config_file):
    first = create_app({"GUARDIAN_CONFIG": str(config_file)}).config["SECRET_KEY"]
    second = create_app({"GUARDIAN_CONFIG": str(config_file)}).config["SECRET_KEY"]
    key = config_file.parent / "dashboard-secret"
    assert first == second and len(first) == 32
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert first.hex() not in config_file.read_text()
