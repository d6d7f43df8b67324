"""Which desktop shows notifications: the parent's own session, the parent's agent, or none at all."""

from __future__ import annotations

from pathlib import Path

from guardian.household import configfile
from guardian.notify import relay
from guardian.notify.desktop import PlyerNotifier
from guardian.store import desktop_notes
from guardian.store.db import connect


def config(tmp_path: Path, user: str | None):
    text = '[storage]\npath = "g.db"\n' + (f'[notifications]\ndesktop_user = "{user}"\n' if user else "")
    return configfile.parse(text, tmp_path / "guardian.toml")


def test_no_parent_named_means_no_desktop_notifications(tmp_path: Path):
    assert relay.desktop(config(tmp_path, None), me="mia") is None


def test_the_parents_own_session_shows_them_directly(tmp_path: Path):
    assert isinstance(relay.desktop(config(tmp_path, "dad"), me="dad"), PlyerNotifier)


def test_a_service_account_hands_them_to_the_parents_agent(tmp_path: Path):
    notifier = relay.desktop(config(tmp_path, "dad"), me="guardian")
    assert isinstance(notifier, relay.Relay)
    notifier.notify("Mia \u202eevil", "50 CNY")
    conn = connect(tmp_path / "g.db")
    [note] = desktop_notes.waiting(conn)
    assert (note.title, note.body) == ("Mia evil", "50 CNY")  # cleaned like every notification
    desktop_notes.visit(conn, [note.id], None, 5)
    assert desktop_notes.waiting(conn) == [] and desktop_notes.agent(conn) == desktop_notes.Agent(5, None, 0)
