"""mitmproxy adapters. Load with `mitmdump -s addons/guardian_addon.py`."""
