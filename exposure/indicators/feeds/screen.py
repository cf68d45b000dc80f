"""Feed values that cannot be indicators, and values too common to prove anything alone.

A feed may come from anyone (review r3, finding 6): one file listing ``0.0.0.0/0``, ``co.uk``,
``google.com`` or ``com.whatsapp`` would make every capture "serious" and every phone "very
serious". Each value a feed parser accepts (``FeedBuilder.add``), and each value of a feed stored
by an earlier version (``feeds.screened``, when the catalog loads it), is judged here:

* **refused** (never an indicator): an address range wider than /8 (IPv4) or /32 (IPv6); a
  private, loopback, link-local, multicast or unspecified address or range (every home
  network has them); a public suffix (``co.uk``, ``github.io``: ``data/public_suffixes.txt``).
  No real feed has any (``tests/indicators/test_feed_screen.py`` checks every bundled value,
  and the real feeds of ``../shared``: none of them has an address range at all).
* **very common** (kept, and said): the most used messaging, social and browser apps and the
  platform's own apps (exact ids, on Android and iPhone), the most visited domains (exact names,
  not their subdomains: a stalkerware's ``x.firebaseio.com`` is its own), and the public DNS
  resolvers. Listed for a harmful tool (stalkerware, spyware, state or forensic tool), such a
  value is *supporting* only: never a finding on its own (docs/severity.md, "Very common
  values"). Listed for a dual-use or flagged app it stays as it is: those findings are at most
  "worth checking" (ISDi lists Snapchat's iPhone app as dual-use, for its location sharing).

Only exact platform ids are very common, never a whole namespace: stalkerware hides under
made-up ones (Echap lists 74 ids such as ``com.android.core.monitor``), and those are real
indicators. Echap's ``samples.csv`` is different: an APK that calls itself by a platform id
says little about another app of that name, so there the namespace (``PLATFORM_NAMESPACES``)
makes a value supporting (``feeds.samples``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import cache

from exposure.indicators.datafiles import DATA
from exposure.indicators.severity import CategoryGroup, group_of
from exposure.model import Category, IndicatorType

PUBLIC_SUFFIXES_FILE = DATA / "public_suffixes.txt"

# The namespaces of the platform's own apps (Android, Google, Samsung, Huawei, Xiaomi, chip makers).
PLATFORM_NAMESPACES = ("android.", "com.android.", "com.google.android.", "com.sec.android.", "com.samsung.android.",
                       "com.huawei.android.", "com.miui.", "com.qualcomm.", "com.mediatek.")

# The narrowest range a feed may list: wider ones hold whole countries' or providers' networks.
MIN_PREFIX = {4: 8, 6: 32}

# Refusal reasons, as an import prints them ("3 values skipped or set apart: <reason>: 3").
WIDE_RANGE = "values refused: address ranges wider than /8 (IPv4) or /32 (IPv6)"
LOCAL_ADDRESS = "values refused: private, local or multicast addresses (every home network has them)"
PUBLIC_SUFFIX = "values refused: public suffixes such as co.uk or github.io (every site under them would match)"
VERY_COMMON = "very common values (such as com.whatsapp or google.com), never a serious finding on their own"

# The platform's own apps, as phones report them (Android ids; the iPhone's built-in apps).
PLATFORM_APPS = frozenset({
    "android", "com.android.systemui", "com.android.settings", "com.android.phone", "com.android.vending",
    "com.android.shell", "com.android.bluetooth", "com.android.nfc", "com.android.launcher3",
    "com.android.contacts", "com.android.dialer", "com.android.mms", "com.android.messaging",
    "com.android.camera2", "com.android.gallery3d", "com.android.calendar", "com.android.deskclock",
    "com.android.documentsui", "com.android.packageinstaller", "com.android.permissioncontroller",
    "com.android.providers.contacts", "com.android.providers.telephony", "com.android.providers.media",
    "com.android.providers.downloads", "com.android.providers.settings", "com.android.providers.calendar",
    "com.android.server.telecom", "com.android.inputmethod.latin", "com.android.keychain",
    "com.android.location.fused", "com.android.externalstorage", "com.android.webview",
    "com.android.printspooler", "com.android.cellbroadcastreceiver", "com.android.emergency", "com.android.stk",
    "com.android.settings.intelligence", "com.android.vpndialogs", "com.android.certinstaller",
    "com.android.chrome", "com.google.android.gms", "com.google.android.gsf", "com.google.android.gsf.login",
    "com.google.android.packageinstaller", "com.google.android.permissioncontroller", "com.google.android.webview",
    "com.google.android.inputmethod.latin", "com.google.android.setupwizard",
    "com.google.android.apps.nexuslauncher", "com.google.android.ext.services", "com.google.android.tts",
    "com.google.android.providers.media.module", "com.google.android.modulemetadata",
    "com.google.android.youtube", "com.google.android.gm", "com.google.android.apps.maps",
    "com.google.android.apps.photos", "com.google.android.googlequicksearchbox",
    "com.google.android.apps.messaging", "com.google.android.dialer", "com.google.android.contacts",
    "com.google.android.calendar", "com.google.android.apps.docs", "com.sec.android.app.launcher",
    "com.sec.android.app.sbrowser", "com.sec.android.app.camera", "com.samsung.android.messaging",
    "com.samsung.android.dialer", "com.miui.home", "com.miui.securitycenter", "com.huawei.android.launcher",
    # the iPhone's own apps
    "com.apple.springboard", "com.apple.mobilesafari", "com.apple.mobilesms", "com.apple.mobilemail",
    "com.apple.mobilephone", "com.apple.preferences", "com.apple.camera", "com.apple.mobileslideshow",
    "com.apple.maps", "com.apple.appstore", "com.apple.mobilecal", "com.apple.mobilenotes",
})

# The most used messaging, social, video and browser apps (Android ids and iPhone bundle ids).
COMMON_APPS = frozenset({
    "com.whatsapp", "com.whatsapp.w4b", "org.telegram.messenger", "com.facebook.katana", "com.facebook.orca",
    "com.facebook.lite", "com.instagram.android", "com.snapchat.android", "com.twitter.android",
    "com.zhiliaoapp.musically", "com.ss.android.ugc.trill", "com.ss.android.ugc.aweme", "com.tencent.mm",
    "com.tencent.mobileqq", "com.sina.weibo", "jp.naver.line.android", "com.viber.voip",
    "org.thoughtcrime.securesms", "com.skype.raider", "com.microsoft.teams", "us.zoom.videomeetings",
    "com.discord", "com.linkedin.android", "com.reddit.frontpage", "com.spotify.music",
    "com.netflix.mediaclient", "com.kakao.talk", "org.mozilla.firefox", "com.microsoft.emmx",
    "com.opera.browser",
    # iPhone
    "net.whatsapp.whatsapp", "ph.telegra.telegraph", "com.facebook.facebook", "com.facebook.messenger",
    "com.burbn.instagram", "com.toyopagroup.picaboo", "com.atebits.tweetie2", "com.tencent.xin",
    "com.tencent.mqq", "com.viber", "org.whispersystems.signal", "com.google.ios.youtube", "com.google.gmail",
    "com.google.chrome.ios", "com.skype.skype", "jp.naver.line", "com.microsoft.skype.teams",
})

# The most visited names (exact: their subdomains are not judged here).
COMMON_DOMAINS = frozenset({
    "google.com", "www.google.com", "googleapis.com", "gstatic.com", "gmail.com", "youtube.com",
    "googlevideo.com", "googleusercontent.com", "google-analytics.com", "doubleclick.net", "android.com",
    "play.google.com", "facebook.com", "www.facebook.com", "fbcdn.net", "facebook.net", "instagram.com",
    "whatsapp.com", "whatsapp.net", "messenger.com", "twitter.com", "x.com", "twimg.com", "tiktok.com",
    "tiktokcdn.com", "apple.com", "www.apple.com", "icloud.com", "mzstatic.com", "microsoft.com", "live.com",
    "outlook.com", "office.com", "windows.com", "windowsupdate.com", "bing.com", "msn.com", "amazon.com",
    "amazonaws.com", "akamai.net", "akamaiedge.net", "akamaihd.net", "cloudflare.com", "yahoo.com",
    "wikipedia.org", "baidu.com", "qq.com", "weixin.qq.com", "wechat.com", "taobao.com", "alipay.com",
    "jd.com", "weibo.com", "bilibili.com", "douyin.com", "yandex.ru", "vk.com", "mail.ru", "telegram.org",
    "t.me", "signal.org", "github.com", "githubusercontent.com", "linkedin.com", "netflix.com",
    "spotify.com", "zoom.us", "reddit.com", "dropbox.com", "firebaseio.com",
})

# Public DNS resolvers (Google, Cloudflare, Quad9, OpenDNS): nearly every capture reaches one.
COMMON_ADDRESSES = frozenset({
    "8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112", "208.67.222.222",
    "208.67.220.220", "2001:4860:4860::8888", "2001:4860:4860::8844", "2606:4700:4700::1111",
    "2606:4700:4700::1001",
})

_APP_TYPES = frozenset({IndicatorType.PACKAGE, IndicatorType.IOS_BUNDLE})
_ADDRESS_TYPES = frozenset({IndicatorType.IPV4, IndicatorType.IPV6, IndicatorType.CIDR})
# Every home or mobile network has these (RFC 1918, carrier-grade NAT, unique local IPv6).
_LOCAL_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"))


def is_platform_package(package: str) -> bool:
    """An id in a platform namespace (``com.android.``...): see the module's docstring."""
    return package.strip().lower().startswith(PLATFORM_NAMESPACES)


@cache
def public_suffixes() -> frozenset[str]:
    """The public suffixes of ``data/public_suffixes.txt`` (one a line, ``#`` comments)."""
    lines = PUBLIC_SUFFIXES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(s for s in (line.split("#")[0].strip().lower() for line in lines) if s)


def refusal(kind: IndicatorType, value: str) -> str | None:
    """Why a normalised value cannot be an indicator (a reason above), or None when it can."""
    if kind in _ADDRESS_TYPES:
        return _address_refusal(value)
    if kind is IndicatorType.DOMAIN and value.lower().rstrip(".") in public_suffixes():
        return PUBLIC_SUFFIX
    return None


def _address_refusal(value: str) -> str | None:
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None  # normalize() has already refused what is not an address
    if network.prefixlen < MIN_PREFIX[network.version]:
        return WIDE_RANGE
    if (network.is_loopback or network.is_link_local or network.is_multicast or network.is_unspecified
            or any(network.subnet_of(local) for local in _LOCAL_NETWORKS if local.version == network.version)):  # type: ignore[arg-type]
        return LOCAL_ADDRESS
    return None


def is_very_common(kind: IndicatorType, value: str) -> bool:
    """Whether a normalised value is on the very common lists (see the module's docstring)."""
    lowered = value.lower().rstrip(".")
    if kind in _APP_TYPES:
        return lowered in COMMON_APPS or lowered in PLATFORM_APPS
    if kind is IndicatorType.DOMAIN:
        return lowered in COMMON_DOMAINS
    if kind in (IndicatorType.IPV4, IndicatorType.IPV6):
        return lowered in COMMON_ADDRESSES
    return False


def demoted(kind: IndicatorType, value: str, category: Category | None) -> bool:
    """Whether a value listed for a tool of ``category`` is kept as supporting only: a very
    common value listed for a harmful tool (or a tool of unknown kind)."""
    harmful = category is None or group_of(category) is CategoryGroup.HARMFUL
    return harmful and is_very_common(kind, value)


def examples(values: Iterable[str], most: int = 3) -> str:
    """A few of ``values``, sorted, for a message: "com.whatsapp, google.com and 2 more"."""
    ordered = sorted(set(values))
    shown = ", ".join(ordered[:most])
    return f"{shown} and {len(ordered) - most} more" if len(ordered) > most else shown
