"""The log addon alone: no phone's private key in any record, mitmproxy's connection lines off unless asked."""

from __future__ import annotations

import logging

from mitmproxy import ctx
from mitmproxy.test import taddons

from addons.logs import CONNECTIONS, HIDDEN, Logs, NoKeys
from guardian.setup import wireguard
from tests.support.one_addon import alone, write_config

KEY = wireguard.genkey()


def record(msg: str, *args: object, name: str = "mitmproxy.proxy.mode_servers") -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)


def test_a_record_with_a_private_key_is_replaced_and_others_pass_untouched():
    conf = f"------\n[Interface]\nPrivateKey = {KEY}\n[Peer]\nEndpoint = 0.0.0.0:51821\n------"
    keep = NoKeys()
    for made in (record(conf), record("%s", conf), record("config: %s %s", "PrivateKey =", KEY)):
        assert keep.filter(made) is True  # kept, but told differently
        assert made.getMessage() == HIDDEN and KEY not in made.getMessage()
    plain = record("WireGuard server listening at 0.0.0.0:%d.", 51821)
    assert keep.filter(plain) and plain.getMessage() == "WireGuard server listening at 0.0.0.0:51821."
    broken = record("%d", "not a number")  # a record whose arguments do not fit is looked at raw, not raised on
    assert keep.filter(broken)


def test_a_key_logged_by_mitmproxy_never_reaches_a_handler(caplog):
    logs = Logs()
    with taddons.context(logs):
        with caplog.at_level(logging.INFO):
            logging.getLogger("mitmproxy.proxy.mode_servers").info("-" * 60 + f"\nPrivateKey = {KEY}\n" + "-" * 60)
    assert KEY not in caplog.text and HIDDEN in caplog.text
    logs.done()
    assert not logging.getLogger("mitmproxy.proxy.mode_servers").filters


def test_connection_lines_are_off_unless_asked(caplog):
    caplog.set_level(logging.DEBUG)  # as mitmdump sets the root logger
    logs = Logs()
    server = logging.getLogger(CONNECTIONS)
    with taddons.context(logs) as tctx:
        assert not server.isEnabledFor(logging.INFO) and server.isEnabledFor(logging.WARNING)
        tctx.configure(logs, guardian_connection_log=True)
        assert server.isEnabledFor(logging.INFO)
        tctx.configure(logs, guardian_connection_log=False)
        assert not server.isEnabledFor(logging.INFO)
    logs.done()


def test_a_certificate_other_than_guardians_is_named_in_the_log(tmp_path, caplog):
    config = write_config(tmp_path, "")
    with alone(lambda runtime: Logs(), config) as logs:
        ctx.options.update(confdir=str(tmp_path / "elsewhere"))
        with caplog.at_level(logging.WARNING):
            logs.running()
        assert f"uses the certificate in {tmp_path / 'elsewhere'}, not Guardian's in {tmp_path / 'mitmproxy'}" in (
            caplog.text
        )
        caplog.clear()
        ctx.options.update(confdir=str(tmp_path / "mitmproxy"))  # what `guardian mitmdump` sets
        with caplog.at_level(logging.WARNING):
            logs.running()
        assert caplog.text == ""
