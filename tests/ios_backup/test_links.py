"""Links and their hosts in hostile text: what browsers would open, nothing else, fast."""

from __future__ import annotations

import time

import pytest

from exposure.collect.ios_backup.links import host_of, links


@pytest.mark.parametrize(("text", "found"), [
    ("Click https://Evil.Example.COM./login now.", [("https://Evil.Example.COM./login", "evil.example.com")]),
    ("https://bank.test@evil.test:8443/x", [("https://bank.test@evil.test:8443/x", "evil.test")]),
    ("http://evil.test\\@good.test/", [("http://evil.test\\@good.test/", "evil.test")]),
    ("(see www.evil.test/a?b=1)", [("www.evil.test/a?b=1", "www.evil.test")]),
    ("请点击https://evil.test/领取奖品", [("https://evil.test/", "evil.test")]),
    ("track it at parcel-evil.test/88, thanks", [("parcel-evil.test/88", "parcel-evil.test")]),
    ("http://[2001:db8::1]:80/x", [("http://[2001:db8::1]:80/x", "2001:db8::1")]),
    ("https://xn--80ak6aa92e.test/ and https://пример.испытание/", [
        ("https://xn--80ak6aa92e.test/", "xn--80ak6aa92e.test"), ("https://пример.испытание/", "пример.испытание")]),
    ("mail me: someone@evil.test, version 1.2.3, file.txt ok", [("file.txt", "file.txt")]),
    ("javascript://evil.test/ and tel:+1555 and ftp://files.evil.test/x", [("ftp://files.evil.test/x",
                                                                            "files.evil.test")]),
    ("https://evil%2Etest/", [("https://evil%2Etest/", "evil.test")]),
])
def test_links_and_hosts(text: str, found: list[tuple[str, str]]) -> None:
    assert links(text) == found


def test_host_of_refuses_what_is_not_a_host() -> None:
    assert host_of("https://") == "" and host_of("no scheme") == "" and host_of("https://a b.test/") == ""
    assert host_of("https://" + "a" * 300 + ".test/") == ""


def test_hostile_text_is_read_in_linear_time_and_links_are_capped() -> None:
    started = time.perf_counter()
    for text in ("a" * 1_000_000, "a." * 500_000, "https://" * 100_000, ".-" * 500_000):
        links(text)
    assert time.perf_counter() - started < 5  # quadratic scanning would take minutes
    assert len(links(" ".join(f"https://h{i}.test/" for i in range(500)))) == 50
