"""`guardian install` on macOS, planned as values (nothing here runs macOS commands)."""

from __future__ import annotations

from dataclasses import replace

from guardian.setup import install, service_macos
from guardian.setup.service import Account
from guardian.setup.steps import Append, Run, Write
from tests.guardian.setup.test_service_windows import INSTALL

MAC = replace(INSTALL, python="/usr/local/bin/python3.12", children=(Account("mia", 501), Account("leo", 502)))


def test_macos_runs_a_launch_daemon_as_a_hidden_user_of_its_own():
    steps = {s.id: s for s in install.plan("darwin", MAC)}
    assert list(steps) == ["account", "program", "data", "ca", "service", "policy-proxy", "firewall"]
    creates = [a.argv for a in steps["account"].actions if isinstance(a, Run) and a.argv]
    assert ("dscl", ".", "-create", "/Users/_guardian", "IsHidden", "1") in creates
    assert ("dscl", ".", "-create", "/Users/_guardian", "UserShell", "/usr/bin/false") in creates
    [plist] = [a for a in steps["service"].actions if isinstance(a, Write)]
    assert str(plist.path) == "/Library/LaunchDaemons/org.guardian.service.plist"
    assert "<key>UserName</key>\n    <string>_guardian</string>" in plist.text
    assert "<key>KeepAlive</key>\n    <true/>" in plist.text
    data = [a for a in steps["data"].actions if isinstance(a, Write)]
    assert all(a.mode == 0o600 and a.owner == "_guardian" for a in data)


def test_macos_keeps_the_children_off_the_web_except_through_guardian_with_pf():
    step = next(s for s in install.plan("darwin", MAC) if s.id == "firewall")
    [anchor] = [a for a in step.actions if isinstance(a, Write)]
    assert "block return out proto tcp from any to any port { 80, 443, 853 } user { mia, leo }" in anchor.text
    [pf] = [a for a in step.actions if isinstance(a, Append)]
    assert pf.lines[0] == 'anchor "org.guardian"'
    # pf is reloaded after pf.conf is restored on undo: the reload's undo comes first in the step.
    assert step.actions[0] == Run(undo=("pfctl", "-f", "/etc/pf.conf"))
    assert service_macos.anchor(()) == "# Guardian: the children's accounts reach the web only through Guardian.\n"
