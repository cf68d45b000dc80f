"""Links and their hosts in hostile text: what browsers would open, nothing else, fast."""

from __future__ import annotations

import time

import pytest

from exposure.collect.ios_backup.links import MAX_LINKS, MAX_MESSAGE_TEXT, host_of, links, message_links
from exposure.model import IndicatorKey, IndicatorType
from exposure.observations.web_host import link_address, link_host_keys


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
    many = " ".join(f"https://h{i}.test/" for i in range(3000))
    assert len(links(many, text_limit=len(many))) == MAX_LINKS


def test_a_link_after_many_decoys_or_a_long_text_in_a_message_is_read() -> None:
    # The sender writes the message: 50 decoy links, or 64 KiB of text, hid a link once.
    for before in (" ".join(f"https://site{i}.example.org/" for i in range(1500)), "hello " * 100_000):
        found, cut = message_links(before + " install https://c2.spytool.test/x")
        assert found[-1] == ("https://c2.spytool.test/x", "c2.spytool.test") and not cut
    found, cut = message_links(" ".join(f"https://d{i}.test/" for i in range(MAX_LINKS + 1)))
    assert len(found) == MAX_LINKS and cut  # past the bound: counted, so the report says so
    assert message_links("x" * (MAX_MESSAGE_TEXT + 1))[1]


# The URL Standard's IPv4 parser (https://url.spec.whatwg.org/#concept-ipv4-parser): how a browser
# reads a host whose last label is a number; 69.64.74.239 written five ways.
@pytest.mark.parametrize(("host", "address"), [
    ("69.64.74.239", "69.64.74.239"), ("1161841391", "69.64.74.239"), ("0x45.0x40.0x4a.0xef", "69.64.74.239"),
    ("0105.0100.0112.0357", "69.64.74.239"), ("69.64.19183", "69.64.74.239"), ("0x4540_4aef", None),
    ("4294967295", "255.255.255.255"), ("4294967296", None), ("256.1.1.1", None), ("1.2.3.4.5", None),
    ("1.2.3.09", None), ("evil.test", None), ("a.1", None), ("[2001:db8::1]", "2001:db8::1"), ("x:y", None),
])
def test_a_host_is_read_as_an_address_as_browsers_read_it(host: str, address: str | None) -> None:
    found = link_address(host)
    assert (str(found) if found else None) == address
    (key,) = link_host_keys(host)
    if address is None:
        assert key == IndicatorKey(IndicatorType.DOMAIN, host)
    else:
        assert key.value == address and key.type in (IndicatorType.IPV4, IndicatorType.IPV6)
