"""Guardian's mitmproxy addon: spending caps and time windows for streaming-app payments.

Usage (`guardian mitmdump` runs exactly this, from the config's data directory and listen address):
    mitmdump -s addons/guardian_addon.py --set guardian_config=DATA/guardian.toml \
        --set confdir=DATA/mitmproxy --listen-host 127.0.0.1 --listen-port 8080

Without `guardian_config` it uses GUARDIAN_CONFIG, else the default data
directory's config (written on first use). The file is followed: a saved
change applies within `guardian_reload_seconds`; a bad one is logged and
the last good config stays in force.

A few small addons, one concern each, share one runtime (the guard for the
config in force and the one database thread). Their order matters: the log's
filters first (before any listener starts and logs a phone's key), devices
before enforcement (a refused request still counts as seen), CORS before
enforcement (it answers the preflights of requests enforcement will refuse),
discovery and gift lists after it (they look at what it let through), the
runtime last (its `done` closes the database thread after the others queued
their last work).
"""

from addons.cheers import Cheers
from addons.cors import Cors
from addons.devices import Devices
from addons.discovery import Discovery
from addons.enforcement import Enforcement
from addons.giftlists import GiftLists
from addons.hostcontrol import HostControl
from addons.logs import Logs
from addons.runtime import Runtime

logs = Logs()
runtime = Runtime()
devices = Devices(runtime)
cors = Cors(runtime)
enforcement = Enforcement(runtime)
discovery = Discovery(runtime)
gift_lists = GiftLists(runtime)
host_control = HostControl(runtime)
cheers = Cheers(runtime)

addons = [logs, devices, cors, enforcement, discovery, gift_lists, host_control, cheers, runtime]
