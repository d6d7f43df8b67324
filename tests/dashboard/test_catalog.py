"""The Apps page: covered apps and what is seen of each, unrecognised requests, learned gift prices."""

from __future__ import annotations

from decimal import Decimal

from guardian.store import gift_prices, unrecognised


def test_apps_page_lists_apps_unrecognised_requests_and_missing_rates(parent, ledger):
    unrecognised.record(
        ledger.conn,
        "bilibili",
        "api.live.bilibili.com",
        "POST",
        "/xlive/<script>x</script>/order/{id}",
        1_700_000_000_000,
    )
    gift_prices.save(ledger.conn, "douyin", {"463": Decimal(1), "3389": Decimal(1200)}, 1)
    page = parent.get("/apps").text
    assert 'href="/apps"' in page  # in the navigation
    for name, seen in (
        ("Bilibili", "amount"),
        ("YouTube", "amount unknown"),
        ("Apple App Store", "host only"),
        ("Twitch", "amount; some amount unknown"),
    ):
        assert f"<td>{name} " in page and f"<td>{seen}" in page.split(f"<td>{name} ", 1)[1].split("</tr>", 1)[0]
    assert "(not decrypted)" in page.split("<td>Google Play ", 1)[1].split("</tr>", 1)[0]
    assert "<td>2</td>" in page.split("<td>Douyin ", 1)[1].split("</tr>", 1)[0]  # two learned gift prices
    assert "POST api.live.bilibili.com/xlive/&lt;script&gt;x&lt;/script&gt;/order/{id}" in page
    assert "<script>x</script>" not in page
    assert "No exchange rate for BITS, ROBUX, TIKTOK_COINS" in page


def test_apps_page_needs_a_login(client, ledger):
    from guardian.setup import logins

    logins.set_password(ledger.conn, "a password", 0)
    r = client.get("/apps")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_apps_page_shows_each_apps_coverage(parent, config_file):
    page = parent.get("/apps").text
    huya = page.split('<details id="coverage-huya">', 1)[1].split("</details>", 1)[0]
    assert "<code>huya.gift.consumeGift</code>" in huya and "<td>medium</td><td>3</td>" in huya  # three sources
    assert "Host level only: <code>pay.huya.com</code>" in huya
    assert "Known to be missed: 5 (see <code>guardian rules coverage</code>)" in huya
    wechat = page.split('<details id="coverage-wechatpay">', 1)[1].split("</details>", 1)[0]
    assert "Left alone: <code>long.weixin.qq.com" in wechat and "amount unknown" in wechat
    assert "continues <code>kuaishou.recharge.kspay_cashier" in page


def test_a_parents_rule_file_on_the_apps_page_is_escaped(parent, config_file):
    rules = config_file.parent / "rules"
    rules.mkdir()
    (rules / "mine.toml").write_text(
        'app = "mine"\nname = "Mine <b>"\ncurrency = "CNY"\nhosts = ["mine.example"]\n'
        "refusal = { json = '{}' }\n"
        'missed = ["<script>alert(1)</script>"]\n[[rule]]\nid = "mine.x"\nkind = "tip"\nhost = "mine.example"\n'
        'path = "/tip"\namount = "n"\nsources = ["<img src=x onerror=alert(1)>"]\nconfidence = "low"\n',
        encoding="utf-8",
    )
    page = parent.get("/apps").text
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "Mine &lt;b&gt;" in page and '<details id="coverage-mine">' in page
