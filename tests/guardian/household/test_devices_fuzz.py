"""Property tests: devices parse or raise ValueError; owner look-ups never raise for any client address."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.household.devices import Device, DeviceMap

FUZZ = settings(max_examples=300, deadline=None)
addressish = st.one_of(
    st.ip_addresses().map(str),
    st.builds(lambda ip, n: f"{ip}/{n}", st.ip_addresses().map(str), st.integers(-1, 130)),
    st.from_regex(r"\Auser:[A-Za-z0-9._@ -]{0,70}\Z"),
    st.text(max_size=40),
    st.sampled_from(["::ffff:10.0.0.2", "fe80::1%eth0", "10.0.0.256", "010.0.0.1", " 10.0.0.2 "]),
)


@FUZZ
@given(addressish)
def test_device_parse(text):
    try:
        device = Device.parse(text)
    except ValueError as e:
        assert str(e)
        return
    assert (device.user is None) != (device.network is None)


@FUZZ
@given(st.lists(addressish, max_size=5), addressish, st.one_of(st.none(), st.text(max_size=10)))
def test_owner_never_raises(texts, client, user):
    owners = []
    for i, text in enumerate(texts):
        try:
            owners.append((Device.parse(text), f"kid{i}"))
        except ValueError:
            pass
    found = DeviceMap(owners).owner(client, user)
    assert found is None or found in {name for _, name in owners}
