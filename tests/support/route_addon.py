"""Test-only mitmproxy addon: send every upstream connection to the local fake app servers.

Rewriting `data.server.address` in `server_connect` changes where the proxy
connects, not the request: Host header, SNI and path stay the app's own.
"""

from mitmproxy import ctx


class Route:
    def load(self, loader):
        loader.add_option("test_https_upstream", int, 0, "Port of the fake HTTPS app server on 127.0.0.1.")
        loader.add_option("test_http_upstream", int, 0, "Port of the fake HTTP app server on 127.0.0.1.")

    def server_connect(self, data):
        tls = data.server.address[1] == 443 or data.server.tls
        port = ctx.options.test_https_upstream if tls else ctx.options.test_http_upstream
        if port:
            data.server.address = ("127.0.0.1", port)


addons = [Route()]
