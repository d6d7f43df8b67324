"""The desktop agent's door: GET /agent/notes with the parent's token (guardian.notify.agent).

No login and no cookie: the agent proves itself with a bearer token whose
SHA-256 `guardian install` wrote beside the config (agent-token.sha256); the
token itself is readable only by the parent's account. Without that file the
door stays shut. The request also reports what the agent showed last time.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, jsonify, request

from dashboard import db
from guardian.store import desktop_notes

bp = Blueprint("agent", __name__)
HASH = "agent-token.sha256"


def _expected() -> str | None:
    path = Path(current_app.config["GUARDIAN_CONFIG"]).parent / HASH
    try:
        return path.read_text(encoding="ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _authorised() -> bool:
    expected = _expected()
    sent = request.headers.get("Authorization", "")
    if expected is None or not sent.startswith("Bearer "):
        return False
    digest = hashlib.sha256(sent.removeprefix("Bearer ").strip().encode()).hexdigest()
    return hmac.compare_digest(digest, expected)


@bp.get("/agent/notes")
def notes():
    if not _authorised():
        abort(403)
    try:
        shown = [int(x) for x in request.args.get("shown", "").split(",") if x][:100]
    except ValueError:
        abort(400)
    error = request.args.get("error") or None
    conn = db.conn()
    desktop_notes.visit(conn, shown, error, db.now_ms())
    waiting = desktop_notes.waiting(conn)
    return jsonify(notes=[{"id": n.id, "at_ms": n.at_ms, "title": n.title, "body": n.body} for n in waiting])


def register(app: Flask) -> None:
    app.register_blueprint(bp)
