"""Every kind of indicator has its own checker: a good value comes out in one normal form,
a value of another kind is refused with InvalidValue (never passed through)."""

from __future__ import annotations

import pytest

from exposure.indicators.normalize import NORMALIZERS, InvalidValue, normalize
from exposure.model import IndicatorType

# kind: (a value as a feed may write it, its normal form, a value that is not of this kind)
CASES = {
    IndicatorType.DOMAIN: ("  WWW.Example.COM. ", "www.example.com", "exa mple.com"),
    IndicatorType.IPV4: (" 192.0.2.1 ", "192.0.2.1", "2001:db8::1"),
    IndicatorType.IPV6: ("2001:DB8::1", "2001:db8::1", "192.0.2.1"),
    IndicatorType.CIDR: ("192.0.2.0/24", "192.0.2.0/24", "192.0.2.1/33"),
    IndicatorType.PACKAGE: ("com.wifi0", "com.wifi0", "not a package"),
    IndicatorType.IOS_BUNDLE: ("com.TrackView", "com.trackview", "not a bundle"),
    IndicatorType.DESKTOP_APP: ("com.philandro.anydesk.Helper", "com.philandro.anydesk.helper", "not a package"),
    IndicatorType.CERT_MD5: ("AB" * 16, "ab" * 16, "ab" * 20),
    IndicatorType.CERT_SHA1: (":".join(["AB"] * 20), "ab" * 20, "ab" * 16),
    IndicatorType.CERT_SHA256: ("ab" * 32, "ab" * 32, "zz" * 32),
    IndicatorType.FILE_MD5: ("cd" * 16, "cd" * 16, "cd" * 32),
    IndicatorType.FILE_SHA1: ("cd" * 20, "cd" * 20, "cd" * 32),
    IndicatorType.FILE_SHA256: ("CD" * 32, "cd" * 32, "cd" * 20),
    IndicatorType.PROCESS: (" agent ", "agent", "a\x00b"),
    IndicatorType.DESKTOP_PROCESS: (" AnyDesk.exe ", "AnyDesk.exe", "a\x00b"),
    IndicatorType.URL: ("HTTPS://Example.COM/Path", "https://example.com/Path", "not a url"),
    IndicatorType.FILE_PATH: (" /data/local/tmp/x ", "/data/local/tmp/x", "   "),
    IndicatorType.EMAIL: (" Spy@Example.com ", "spy@example.com", "two@at@example.com"),
    IndicatorType.CONFIG_PROFILE: ("76dab334-7e17-475d-a5d6-0794eb5818a5", "76DAB334-7E17-475D-A5D6-0794EB5818A5",
                                   "two words"),
}


def test_every_kind_has_a_checker_and_a_case() -> None:
    assert set(NORMALIZERS) == set(IndicatorType) == set(CASES)


@pytest.mark.parametrize("kind", list(CASES), ids=[k.value for k in CASES])
def test_each_kind_normalises_its_values_and_refuses_others(kind: IndicatorType) -> None:
    written, normal, wrong = CASES[kind]
    assert normalize(kind, written) == normal
    assert normalize(kind, normal) == normal
    with pytest.raises(InvalidValue):
        normalize(kind, wrong)


def test_what_is_not_text_is_refused() -> None:
    with pytest.raises(InvalidValue, match="expected text, got int"):
        normalize(IndicatorType.DOMAIN, 5)  # type: ignore[arg-type]
