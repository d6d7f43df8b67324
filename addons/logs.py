"""What the proxy's log leaves out (mitmproxy's line per connection, every phone's private key) and the one
warning it adds (a certificate other than Guardian's).

mitmproxy says "client connect" and "client disconnect" for every connection of every device in the
house; Guardian's own messages drowned in them. They stay available with
``--set guardian_connection_log=true``. A WireGuard listener's start makes mitmproxy log the phone's
whole configuration, private key included, with the listen address (0.0.0.0) as its endpoint: that
record is replaced by a pointer to where the parent finds the real one. It comes first in the script's
list, so the filter is in place before any listener starts.

A mitmdump started by hand without `--set confdir=` makes a certificate of its own in ~/.mitmproxy;
the devices trust the one in Guardian's data directory and would see errors, so the log says so.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from mitmproxy import ctx

from guardian.household.home import config_path, mitmproxy_dir

log = logging.getLogger(__name__)

CONNECTIONS = "mitmproxy.proxy.server"  # the logger of mitmproxy's per-connection lines
KEY = re.compile(r"PrivateKey\s*=")
HIDDEN = (
    "A phone's WireGuard tunnel is listening; its settings (with the phone's key) are on the dashboard's "
    "Devices page and `guardian phone show NAME`, never in this log."
)


class NoKeys(logging.Filter):
    """Replaces any record that holds a WireGuard private key with a line that does not."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not fit its message: look at the raw parts
            text = f"{record.msg} {record.args}"
        if KEY.search(text):
            record.msg, record.args, record.exc_info, record.exc_text = HIDDEN, (), None, None
        return True


class Logs:
    def __init__(self) -> None:
        self.filter = NoKeys()

    def load(self, loader) -> None:
        loader.add_option(
            "guardian_connection_log",
            bool,
            False,
            "Show mitmproxy's line for every client connection and disconnection (off: only Guardian's news).",
        )
        # On the handlers (mitmdump's terminal, any file log): every record passes them, whichever logger made it.
        for handler in logging.getLogger().handlers:
            handler.addFilter(self.filter)
        logging.getLogger("mitmproxy.proxy.mode_servers").addFilter(self.filter)  # changes the record for all
        logging.getLogger(CONNECTIONS).setLevel(logging.WARNING)  # off from the start, whatever loads first

    def configure(self, updated) -> None:
        if "guardian_connection_log" in updated:
            level = logging.NOTSET if ctx.options.guardian_connection_log else logging.WARNING
            logging.getLogger(CONNECTIONS).setLevel(level)

    def running(self) -> None:
        ours = mitmproxy_dir(config_path(ctx.options.guardian_config))
        used = Path(ctx.options.confdir).expanduser()
        if used.resolve() != ours.resolve():
            log.warning(
                "This proxy uses the certificate in %s, not Guardian's in %s: devices that trust Guardian's "
                "will see certificate errors. Start it with `guardian mitmdump` (or --set confdir=%s).",
                used,
                ours,
                ours,
            )

    def done(self) -> None:
        for handler in logging.getLogger().handlers:
            handler.removeFilter(self.filter)
        logging.getLogger("mitmproxy.proxy.mode_servers").removeFilter(self.filter)
