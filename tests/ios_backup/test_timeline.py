"""The timeline in the report: what was seen when across artefacts, in JSON (valid against
the schema, old reports without it too) and in HTML, in every language, escaped."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema

from exposure.model import Category, IndicatorRole, IndicatorType, Severity
from exposure.report.document import from_result
from exposure.report.html import render_html
from exposure.report.json_report import from_json, to_json
from exposure.report.schema import report_schema
from exposure.scan import ScanRequest, SourceSpec, run_scan
from tests.ios.catalogs import threat, with_indicators
from tests.ios_backup.make_backup import Spec, write_backup
from tests.paths import REPO

SPY = threat("spytool", "SpyTool", Category.STALKERWARE, Severity.CRITICAL)


def test_timeline_orders_events_of_every_artefact_and_renders_escaped(tmp_path: Path) -> None:
    profile_day = datetime(2026, 3, 1, 22, 5, tzinfo=UTC)
    sms_day = datetime(2026, 3, 2, 18, 40, tzinfo=UTC)
    visit_day = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    spec = Spec(ios_version="17.1",
                messages=[("track https://c2.spytool.test/p", "SMS", "<b>+1555</b>", sms_day)],
                safari_history=[("https://c2.spytool.test/panel", visit_day)],
                profiles=[{"PayloadIdentifier": "com.x.vpn", "PayloadDisplayName": "VPN",
                           "PayloadContent": [{"PayloadType": "com.apple.vpn.managed"}],
                           "InstallDate": profile_day.replace(tzinfo=None)}])
    folder = write_backup(tmp_path / "b", spec)
    catalog = with_indicators([SPY], [(IndicatorType.DOMAIN, "c2.spytool.test", "spytool")], IndicatorRole.C2)
    result = run_scan(ScanRequest(sources=(SourceSpec("ios-backup", str(folder)),), use_feeds=False), catalog=catalog)
    data = json.loads(json.dumps(to_json(from_result(result))))
    jsonschema.validate(data, report_schema())
    jsonschema.validate(data, json.loads((REPO / "docs" / "report.schema.json").read_text("utf-8")))
    events = [(e["time"][:16], e["kind"], e["finding"] is not None) for e in data["timeline"]]
    assert events[:3] == [("2026-03-01T22:05", "ios-config-profile", True), ("2026-03-02T18:40", "ios-link", True),
                          ("2026-03-03T07:00", "ios-link", True)]
    assert ("2026-11-20T09:00", "backup-made", False) in events
    c2 = next(i for i, f in enumerate(data["findings"]) if f["subject"] == "c2.spytool.test")
    assert [e["finding"] for e in data["timeline"] if e["kind"] == "ios-link"] == [c2, c2]
    for lang, words in (("en", "When things were seen"), ("zh", "各项内容出现的时间")):
        page = render_html(from_json(data), lang)
        section = page[page.index('class="timeline"'):page.index("</section>", page.index('class="timeline"'))]
        assert words in section and "c2.spytool.test" in section
        assert "&lt;b&gt;+1555&lt;/b&gt;" in section and "<b>+1555" not in section
    # A report written before the timeline existed is still valid.
    del data["timeline"]
    jsonschema.validate(data, report_schema())
    assert 'class="timeline"' not in render_html(from_json(data), "en")


def test_markdown_report_has_the_timeline_too(tmp_path: Path) -> None:
    from exposure.report.markdown import render_markdown

    when = datetime(2026, 3, 2, 18, 40, tzinfo=UTC)
    folder = write_backup(tmp_path / "b", Spec(messages=[("go https://c2.spytool.test/`x`", "SMS", "+1", when)]))
    catalog = with_indicators([SPY], [(IndicatorType.DOMAIN, "c2.spytool.test", "spytool")], IndicatorRole.C2)
    result = run_scan(ScanRequest(sources=(SourceSpec("ios-backup", str(folder)),), use_feeds=False), catalog=catalog)
    text = render_markdown(from_result(result), "zh")
    section = text[text.index("## 各项内容出现的时间"):]
    assert "`c2.spytool.test`" in section.split("##")[1]
