"""Property tests: host and path normalisation never raise, and every spelling of a path or host means the same."""

from __future__ import annotations

import string
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.catalog.request import normalize_host, normalize_path

FUZZ = settings(max_examples=300, deadline=None)
segment = st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=1, max_size=10)
paths = st.lists(segment, min_size=1, max_size=6)


@st.composite
def respelled(draw, segments: list[str]) -> str:
    """The path /a/b/c written the ways a client might to slip past a rule for it."""
    out = []
    for seg in segments:
        if draw(st.booleans()):
            seg = "".join(c.upper() if draw(st.booleans()) else c for c in seg)
        if draw(st.booleans()):
            i = draw(st.integers(0, len(seg) - 1))
            enc = f"%{ord(seg[i]):02X}"
            seg = seg[:i] + (quote(enc) if draw(st.booleans()) else enc) + seg[i + 1 :]  # once or twice encoded
        if draw(st.booleans()):
            seg += ";" + draw(st.sampled_from(["jsessionid=1", "x", ""]))
        prefix = draw(st.sampled_from(["/", "//", "/./", "/x/../", "\\", "%2f", "%2F/", "/%2e/"]))
        out.append(prefix + seg)
    return "".join(out) + draw(st.sampled_from(["", "/", "//", "/."]))


@FUZZ
@given(st.data(), paths)
def test_respelled_paths_normalise_to_the_same(data, segments):
    plain = "/" + "/".join(segments)
    assert normalize_path(data.draw(respelled(segments))) == normalize_path(plain) == plain.lower()


@FUZZ
@given(st.text(max_size=60))
def test_any_path_normalises_to_a_clean_absolute_path(path):
    norm = normalize_path(path)
    assert norm.startswith("/") and "//" not in norm and "\\" not in norm and ";" not in norm
    assert norm == "/" or not norm.endswith("/")
    assert "/./" not in norm + "/" and "/../" not in norm + "/"


@FUZZ
@given(st.from_regex(r"\A[a-z0-9-]{1,10}(\.[a-z0-9-]{1,10}){1,3}\Z"), st.data())
def test_respelled_hosts_normalise_to_the_same(host, data):
    spelled = "".join(c.upper() if data.draw(st.booleans()) else c for c in host)
    spelled += data.draw(st.sampled_from(["", ".", ":443", ".:8080"]))
    assert normalize_host(spelled) == host
    assert normalize_host(f"[{host}]:443") == host


@FUZZ
@given(st.text(max_size=40))
def test_any_host_normalises_without_error(host):
    norm = normalize_host(host)
    assert norm == normalize_host(norm)
    assert not norm.endswith(".") or norm.count(":") > 1 or norm.startswith("[")
