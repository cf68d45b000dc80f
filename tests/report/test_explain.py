"""Explanations: what we saw (counts, times, source), what it means, how sure, what to do,
the safety note, and the sources with Echap's attribution, in English and Chinese."""

from __future__ import annotations

import re
from dataclasses import replace

from exposure.explain.finding import Explanation, explain_finding
from exposure.explain.lines import fill, plain
from exposure.explain.summary import summarize
from exposure.explain.texts import t
from exposure.explain.times import format_span
from exposure.model import Category, IndicatorRole
from exposure.report.document import from_result, observation_record
from tests.report.helpers import result_with_findings, result_without_findings


def explanations(lang: str, demo: bool = False) -> list[Explanation]:
    report = from_result(result_with_findings(demo=demo))
    return [explain_finding(f, report, lang) for f in report.findings]


def test_what_we_saw_gives_count_times_and_source() -> None:
    c2, app, _odd = explanations("en")
    seen = [plain(line) for line in c2.seen]
    assert seen[0] == ("The device at 192.168.1.23 looked up c2.spylive360.com 14 times, "
                       "between 2026-11-26 10:02:00 and 10:40:00 UTC (capture.pcap).")
    assert "opened an encrypted connection to c2.spylive360.com 5 times" in seen[1]
    app_seen = [plain(line) for line in app.seen]
    assert app_seen[0] == "The app com.wifi0, shown as c2.spylive360.com, is installed on the phone (R58M123)."
    assert "switched on as an accessibility service" in app_seen[1]


def test_chinese_explanation() -> None:
    c2, app, _odd = explanations("zh")
    assert plain(c2.title) == "与 SpyLive360 的服务器有联系：c2.spylive360.com"
    assert plain(c2.seen[0]).startswith("地址为 192.168.1.23 的设备查询了域名 c2.spylive360.com，共 14 次")
    assert plain(app.title) == "发现 SpyLive360：com.wifi0"
    assert c2.meaning[0][0].text == "SpyLive360 是用来偷偷监视手机的软件。"
    assert c2.confidence_words == t("confidence.high", "zh")
    assert c2.severity_words == "非常严重"


def test_untrusted_values_stay_values() -> None:
    c2, *_ = explanations("en")
    subject = [p for p in c2.title if p.text == "c2.spylive360.com"]
    assert subject and subject[0].kind == "value"
    assert c2.title[0].kind == "text"


def test_stalkerware_gets_the_safety_note_and_echap_credit() -> None:
    c2, app, odd = explanations("en")
    assert "may alert whoever installed it" in plain(c2.safety_note)
    assert "support service" in plain(app.safety_note)
    assert odd.safety_note == ()  # a heuristic that is not about an installed tool
    credits = [plain(r.title) for r in c2.references]
    assert any("stalkerware-indicators" in c and "CC BY 4.0" in c for c in credits)  # the credit CC BY asks for
    assert "Indicator feed “echap”" in credits
    assert any(r.url == "https://github.com/AssoEchap/stalkerware-indicators" for r in app.references)


def test_a_website_visit_is_not_told_to_remove_anything() -> None:
    result = result_with_findings()
    first = result.findings[0]
    visit = replace(first, indicators=(replace(first.indicators[0], role=IndicatorRole.WEBSITE),))
    result.findings = [visit]
    report = from_result(result)
    exp = explain_finding(report.findings[0], report, "en")
    assert plain(exp.title) == "The SpyLive360 website was visited: c2.spylive360.com"
    assert exp.safety_note == ()
    assert "does not mean the tool is installed" in " ".join(plain(m) for m in exp.meaning)


def test_a_flagged_app_is_not_called_a_spy_tool() -> None:
    result = result_with_findings()
    first = result.findings[1]
    flagged = replace(first, rule="indicator.flagged-app", category=Category.FLAGGED_APP,
                      indicators=(replace(first.indicators[0], role=IndicatorRole.FLAGGED),))
    result.findings = [flagged]
    report = from_result(result)
    exp = explain_finding(report.findings[0], report, "en")
    assert exp.safety_note == ()
    assert "not a spy tool" in " ".join(plain(m) for m in exp.meaning)


def test_a_threat_without_texts_uses_its_category() -> None:
    result = result_with_findings()
    result.threats = {}  # a feed-only family: no texts of its own
    report = from_result(result)
    exp = explain_finding(report.findings[0], report, "zh")
    assert plain(exp.meaning[0]).startswith("跟踪软件是有人装在别人手机上")
    assert plain(exp.title) == "与 SpyLive360 的服务器有联系：c2.spylive360.com"  # the name from params


def test_unknown_rule_falls_back_to_its_english_title() -> None:
    *_, odd = explanations("zh")
    assert plain(odd.title) == "Something odd: c2.spylive360.com"
    assert odd.confidence_words == t("confidence.sign.low", "zh")


def test_fill_leaves_missing_and_odd_placeholders_alone() -> None:
    line = fill("A {subject} and {missing} and {0.__class__} and {{literal}}", {"subject": "x{y}"})
    assert plain(line) == "A x{y} and {missing} and {0.__class__} and {literal}"
    assert [p.kind for p in line] == ["text", "value", "text"]
    assert plain(fill("broken {", {})) == "broken {"


def test_span_shows_the_zone_once() -> None:
    assert format_span("2026-11-26T10:02:00+00:00", "2026-11-26T10:40:00+00:00") == (
        "2026-11-26 10:02:00", "10:40:00 UTC")
    assert format_span("2026-11-26T10:02:00+00:00", None) == ("2026-11-26 10:02:00 UTC", "")
    assert format_span("not a time", None) == ("", "")
    # Within the same shown second: one time, not "between 00:00:02 and 00:00:02".
    assert format_span("2026-01-01T00:00:02.1+00:00", "2026-01-01T00:00:02.9+00:00") == (
        "2026-01-01 00:00:02 UTC", "")


def test_summary_with_findings_says_how_many_how_serious_and_where_to_start() -> None:
    summary = summarize(from_result(result_with_findings()), "en")
    text = [plain(p) for p in summary.paragraphs]
    assert text[0] == "We found 3 things worth your attention (2 very serious and 1 probably minor)."
    # The summary counts tools and devices, not indicators (docs/severity.md).
    assert text[1] == "That is 1 known tool, seen on 1 device."
    assert text[2] == "Start with the first one in the list: Contact with a SpyLive360 server: c2.spylive360.com."
    assert summary.counts == (("critical", 2), ("low", 1))


def test_summary_without_findings_is_not_a_verdict() -> None:
    for lang in ("en", "zh"):
        summary = summarize(from_result(result_without_findings()), lang)
        words = " ".join(plain(p) for p in (*summary.paragraphs, *summary.checked, *summary.not_checked,
                                             summary.next_intro, *summary.next_checks))
        if lang == "en":
            assert "does not prove the device is safe" in words
            assert "We checked the network capture capture.pcap (1200 packets and 40 names)" in words
            assert "Devices that were not checked here, and accounts in the cloud" in words  # what was not checked
            assert "encrypted DNS" in words and "TLS 1.3 hides the server certificate" in words
            for topic in ("sign-ins", "location sharing", "PIN"):
                assert topic.lower() in words.lower()
            assert "compromised" not in words and "clean" not in words
        else:
            assert "并不能证明设备是安全的" in words
            assert "账号登录" in words and "位置共享" in words and "解锁密码" in words
            assert "TLS 1.3 会隐藏服务器证书" in words and "TLS 1.3 hides" not in words  # the collector's note


def test_summary_when_nothing_could_be_read() -> None:
    result = result_without_findings()
    result.sources = []
    summary = summarize(from_result(result), "en")
    assert plain(summary.paragraphs[0]).startswith("Nothing could be read, so nothing was checked:")


def every_kind_of_observation() -> list:  # type: ignore[type-arg]
    from exposure.observations.android import AndroidFile, AndroidProcess, AndroidSetting
    from exposure.observations.host import HostConnection, HostProcess, HostSetting, InstalledSoftware
    from exposure.observations.network import DnsQuery, Flow, ServerName, TlsCertificate
    from tests.report.helpers import t0

    return [
        DnsQuery("pcap", "c.pcap", name="a.example", first_seen=t0(1)),
        ServerName("pcap", "c.pcap", name="b.example", protocol="quic"),
        ServerName("pcap", "c.pcap", name="b.example", protocol="http"),
        TlsCertificate("pcap", "c.pcap", sha1="a" * 40, sha256="b" * 64, subject_name="c.example"),
        Flow("pcap", "c.pcap", protocol="tcp", client="10.0.0.2", client_port=5000, server="203.0.113.1",
             server_port=8443, server_names=("d.example",)),
        AndroidSetting("adb", "SER", namespace="secure", key="install_non_market_apps", value="1"),
        AndroidProcess("adb", "SER", name="com.spy:remote"),
        AndroidFile("adb", "SER", path="/data/local/tmp/x"),
        HostProcess("host", "this computer", name="spyd"),
        InstalledSoftware("host", "this computer", name="anydesk", manager="dpkg"),
        HostConnection("host", "this computer", remote_ip="198.51.100.7", remote_port=5938),
        HostSetting("host", "this computer", area="proxy", key="http_proxy", value="http://10.0.0.9:8080"),
    ]


def test_every_kind_of_observation_is_said_in_words() -> None:
    from exposure.explain.seen import seen_lines

    observations = [observation_record(o) for o in every_kind_of_observation()]
    for lang in ("en", "zh"):
        lines = [plain(line) for line in seen_lines(observations[:1], lang)]
        lines += [plain(seen_lines([o], lang)[0]) for o in observations[1:]]
        for obs, line in zip(observations, lines, strict=True):
            assert not line.startswith(obs.description), f"fell back to the English description: {line}"
            if lang == "zh":
                assert re.search(r"[\u4e00-\u9fff]", line), line
            assert "{" not in line, line
    en = [plain(seen_lines([o], "en")[0]) for o in observations]
    assert en[5] == "The phone's setting install_non_market_apps is 1 (SER)."
    assert en[4] == "The device at 10.0.0.2 exchanged traffic with 203.0.113.1 (d.example) on port 8443 (c.pcap)."
    assert en[11] == "On this computer, http_proxy is http://10.0.0.9:8080 (this computer)."


def test_a_stopped_scan_says_it_is_incomplete() -> None:
    result = result_without_findings()
    result.cancelled = True
    summary = summarize(from_result(result), "en")
    assert plain(summary.paragraphs[0]).startswith("This check was stopped before it finished")
    assert "does not prove the device is safe" in plain(summary.paragraphs[2])


def test_terminal_summary_of_a_demo_names_it_and_lists_help() -> None:
    import io

    from exposure.report.output import print_summary

    out = io.StringIO()
    print_summary(from_result(result_with_findings(demo=True)), "en", out)
    text = out.getvalue()
    assert text.startswith("DEMO: ")
    assert "Where to get help" in text and "https://stopstalkerware.org/resources/" in text
