"""The channels' addresses: a 0600 file beside the ledger, replaced whole, read back exactly, errors named."""

import os
import stat
from pathlib import Path

import pytest

from guardian.household import configfile
from guardian.notify import addressbook
from guardian.notify.addressbook import AddressBookError
from guardian.notify.addresses import parse

BARK = parse("bark", "https://api.day.app/Xy7Kq2Lm9Pz4Rt1Vw8Nb3c/")
NTFY = parse("ntfy", "http://192.168.1.5/kids-4f9a2c", "tk_0123456789abcdefghij")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_beside_the_ledger_not_in_the_config(tmp_path):
    config = configfile.parse('[storage]\npath = "data/guardian.db"\n', tmp_path / "guardian.toml")
    assert addressbook.path_for(config) == tmp_path / "data" / "channels.secret"


def test_put_and_remove_keep_the_file_private_and_whole(tmp_path):
    path = tmp_path / "data" / "channels.secret"
    assert addressbook.load(path) == {}
    addressbook.put(path, "mum-bark", BARK)
    addressbook.put(path, "dad-ntfy", NTFY)
    assert mode(path) == 0o600
    assert addressbook.load(path) == {"mum-bark": BARK, "dad-ntfy": NTFY}
    assert addressbook.remove(path, "mum-bark") and not addressbook.remove(path, "mum-bark")
    assert addressbook.load(path) == {"dad-ntfy": NTFY} and mode(path) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["channels.secret"]  # no temporary file left behind


def test_a_file_others_can_read_is_tightened(tmp_path):
    path = tmp_path / "channels.secret"
    addressbook.put(path, "mum-bark", BARK)
    os.chmod(path, 0o644)
    assert addressbook.load(path) == {"mum-bark": BARK}
    assert mode(path) == 0o600


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("{", "not JSON (Expecting property name enclosed in double quotes at line 1)"),
        ("[]", "channels: expected an object of channels"),
        ('{"channels": {"a": {"kind": "bark"}}}', "channels.a: expected kind, url, shown and server"),
        (
            '{"channels": {"a": {"kind": "sms", "url": "x", "shown": "x", "server": "x"}}}',
            "channels.a: expected kind, url, shown and server",
        ),
    ],
)
def test_a_damaged_file_is_an_error_naming_it(tmp_path, text, error):
    path = tmp_path / "channels.secret"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AddressBookError) as e:
        addressbook.load(path)
    assert str(e.value) == f"{path}: {error}"
