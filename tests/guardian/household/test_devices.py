import ipaddress

import pytest

from guardian.household.devices import Device, DeviceMap, client_ip, device_key


@pytest.mark.parametrize(
    ("text", "normal", "user", "network"),
    [
        ("192.168.1.23", "192.168.1.23", None, "192.168.1.23/32"),
        (" 192.168.1.23 ", "192.168.1.23", None, "192.168.1.23/32"),
        ("192.168.1.0/24", "192.168.1.0/24", None, "192.168.1.0/24"),
        ("192.168.1.40/30", "192.168.1.40/30", None, "192.168.1.40/30"),
        ("fd00::/64", "fd00::/64", None, "fd00::/64"),
        ("fd00:0:0:0::/64", "fd00::/64", None, "fd00::/64"),
        ("::1", "::1", None, "::1/128"),
        ("user:mia", "user:mia", "mia", None),
        ("user:Mia.B_2@home-1", "user:Mia.B_2@home-1", "Mia.B_2@home-1", None),
        ("user:" + "a" * 64, "user:" + "a" * 64, "a" * 64, None),
    ],
)
def test_device_parse_good(text: str, normal: str, user: str | None, network: str | None) -> None:
    device = Device.parse(text)
    assert device.text == normal
    assert device.user == user
    assert device.network == (None if network is None else ipaddress.ip_network(network))


USER_HINT = "a proxy user is written user:NAME with letters, digits, . _ @ -"
IP_HINT = "is not an IP address, a CIDR range like 192.168.1.0/24, or user:NAME"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("user:", f"'user:': {USER_HINT}"),
        ("user:mia lee", f"'user:mia lee': {USER_HINT}"),
        ("user:mia:x", f"'user:mia:x': {USER_HINT}"),
        ("user:" + "a" * 65, f"'user:{'a' * 65}': {USER_HINT}"),
        ("user:mia\u202e", f"'user:mia\\u202e': {USER_HINT}"),  # repr() shows the bidi override
        ("192.168.1.1/24", f"'192.168.1.1/24' {IP_HINT} (192.168.1.1/24 has host bits set)"),
        ("300.1.1.1", f"'300.1.1.1' {IP_HINT} ('300.1.1.1' does not appear to be an IPv4 or IPv6 network)"),
        ("192.168.1.0/33", f"'192.168.1.0/33' {IP_HINT} ("),
        ("mia", f"'mia' {IP_HINT} ("),
        ("", f"'' {IP_HINT} ("),
        ("192.168.001.1", f"'192.168.001.1' {IP_HINT} ("),
        (5, 'expected a device like "192.168.1.23", "192.168.1.0/24" or "user:mia", got 5'),
        (None, 'expected a device like "192.168.1.23", "192.168.1.0/24" or "user:mia", got None'),
    ],
)
def test_device_parse_bad(text: object, error: str) -> None:
    with pytest.raises(ValueError) as e:
        Device.parse(text)  # type: ignore[arg-type]
    assert str(e.value).startswith(error)
    if error.endswith("("):
        assert str(e.value).endswith(")")
    else:
        assert str(e.value) == error


@pytest.mark.parametrize(
    ("address", "ip"),
    [
        ("10.0.0.2", "10.0.0.2"),
        ("::ffff:10.0.0.2", "10.0.0.2"),
        ("fe80::1%eth0", "fe80::1"),
        ("fd00::5", "fd00::5"),
        ("garbage", None),
        ("", None),
        ("10.0.0.256", None),
    ],
)
def test_client_ip(address: str, ip: str | None) -> None:
    assert client_ip(address) == (None if ip is None else ipaddress.ip_address(ip))


@pytest.mark.parametrize(
    ("address", "user", "tunnel", "key"),
    [
        ("192.168.1.23", None, None, "192.168.1.23"),
        ("::ffff:192.168.1.23", None, None, "192.168.1.23"),  # a dual-stack socket's IPv4 client
        ("fe80::1%eth0", None, None, "fe80::1"),
        ("fd00::5", None, None, "fd00::5"),
        ("192.168.1.23", "mia", None, "user:mia"),  # a proxy user wins over the address
        ("10.0.0.1", "mia", "mia-phone", "wireguard:mia-phone"),  # inside a tunnel every phone is 10.0.0.1
        ("", None, "mia-phone", "wireguard:mia-phone"),
        ("", "mia", None, "user:mia"),
        ("unknown", None, None, "unknown"),  # no address: kept as given
        ("user:mia", None, None, "user:mia"),  # a key is its own key (stored keys are normalised again)
        ("wireguard:mia-phone", None, None, "wireguard:mia-phone"),
    ],
)
def test_device_key(address: str, user: str | None, tunnel: str | None, key: str) -> None:
    assert device_key(address, user=user, tunnel=tunnel) == key


def test_a_listed_device_matches_the_key_it_is_seen_under() -> None:
    for text in ("user:mia", "wireguard:mia-phone"):
        device = Device.parse(text)
        assert device_key(user=device.user, tunnel=device.tunnel) == device.text


def devices(*pairs: tuple[str, str]) -> DeviceMap:
    return DeviceMap([(Device.parse(text), owner) for text, owner in pairs])


def test_proxy_user_wins_over_address() -> None:
    m = devices(("10.0.0.2", "Leo"), ("user:mia", "Mia"))
    assert m.owner("10.0.0.2", "mia") == "Mia"
    assert m.owner("10.0.0.2", None) == "Leo"
    assert m.owner("10.0.0.2", "someone-else") == "Leo"  # an unknown user falls back to the address
    assert m.owner("10.0.0.9", "mia") == "Mia"
    assert m.owner("10.0.0.9", "someone-else") is None


@pytest.mark.parametrize("order", [1, -1])
def test_exact_address_wins_over_range_whatever_the_order(order: int) -> None:
    m = devices(*[("10.0.0.0/24", "Leo"), ("10.0.0.5", "Mia")][::order])
    assert m.owner("10.0.0.5", None) == "Mia"
    assert m.owner("10.0.0.6", None) == "Leo"
    assert m.owner("10.0.1.5", None) is None


@pytest.mark.parametrize("order", [1, -1])
def test_narrower_range_wins(order: int) -> None:
    m = devices(*[("10.0.0.0/8", "Parents"), ("10.0.0.0/24", "Mia"), ("10.0.0.64/26", "Leo")][::order])
    assert m.owner("10.0.0.9", None) == "Mia"
    assert m.owner("10.0.0.70", None) == "Leo"
    assert m.owner("10.1.0.1", None) == "Parents"


def test_ipv4_mapped_and_scoped_clients_are_matched() -> None:
    m = devices(("10.0.0.5", "Mia"), ("fe80::/64", "Leo"))
    assert m.owner("::ffff:10.0.0.5", None) == "Mia"
    assert m.owner("fe80::1%eth0", None) == "Leo"


def test_ipv6_range_does_not_match_ipv4_and_back() -> None:
    m = devices(("fd00::/64", "Leo"), ("0.0.0.0/0", "Mia"))
    assert m.owner("fd00::1", None) == "Leo"
    assert m.owner("10.0.0.1", None) == "Mia"
    assert m.owner("2001:db8::1", None) is None


def test_unreadable_address_has_no_owner() -> None:
    m = devices(("0.0.0.0/0", "Mia"))
    assert m.owner("not-an-address", None) is None
    assert m.owner("", None) is None


def test_owner_is_stable_across_repeated_lookups() -> None:
    m = devices(("10.0.0.5", "Mia"))
    assert [m.owner("10.0.0.5", None) for _ in range(3)] == ["Mia"] * 3
    assert [m.owner("10.0.0.6", None) for _ in range(3)] == [None] * 3
    # Many distinct clients (beyond the cache bound) are still answered correctly.
    assert all(m.owner(f"10.1.{i // 256}.{i % 256}", None) is None for i in range(5000))
    assert m.owner("10.0.0.5", None) == "Mia"
