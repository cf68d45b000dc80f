"""The report document: a scan and its saved JSON are the same document, every report the
schema allows is read (older optional fields too), and anything else is one line.

``from_result`` -> JSON -> ``from_json`` gives the same document back, and writing it again
gives the same bytes; a report written before the timeline, ``unread``, ``label`` and the
feeds' dates existed reads with their defaults; a saved report is untrusted: whatever is
changed in it, ``from_json`` returns a document that every renderer can show, or refuses it
with a :class:`ReportFormatError` (never another exception).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from exposure.document import ReportDocument, SourceRecord
from exposure.model import CheckNote, SourceInfo
from exposure.report.document import from_result
from exposure.report.html import render_html
from exposure.report.json_report import dumps, from_json, to_json
from exposure.report.markdown import render_markdown
from exposure.report.schema import ReportFormatError, compiled_check, walked
from exposure.scan import ScanResult
from tests.paths import REPO
from tests.report.helpers import HOSTILE, report_dict, result_with_findings, result_without_findings


def unread_sources() -> ScanResult:
    result = result_without_findings()
    result.sources[0].unread = CheckNote.of("error.source.no-packets", "it holds no packets")
    result.sources[1].label = "practice-phone"
    return result


RESULTS: dict[str, Callable[[], ScanResult]] = {
    "findings": result_with_findings,
    "hostile names": lambda: result_with_findings(HOSTILE),
    "demo": lambda: result_with_findings(demo=True),
    "no findings": result_without_findings,
    "unread and labelled sources": unread_sources,
}


@pytest.mark.parametrize("make", RESULTS.values(), ids=RESULTS.keys())
def test_a_scan_and_its_saved_json_are_the_same_document(make: Callable[[], ScanResult]) -> None:
    document = from_result(make())
    text = dumps(document)
    again = from_json(json.loads(text))
    assert again == document
    assert dumps(again) == text  # and written again, the same bytes


def test_the_demo_sample_reads_back_as_written() -> None:
    text = (REPO / "docs" / "sample-report.json").read_text("utf-8")
    document = from_json(json.loads(text))
    assert document.demo and document.findings and document.timeline and document.feeds
    assert dumps(document) == text


def test_the_document_is_immutable() -> None:
    document = from_result(result_with_findings())
    with pytest.raises(dataclasses.FrozenInstanceError):
        document.demo = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        document.findings[0].evidence[0].count = 0  # type: ignore[misc]


def test_a_source_record_has_every_field_a_scan_records() -> None:
    """A field added to SourceInfo (a per-file section, say) must reach the document and the
    JSON: add it to SourceRecord, from_result, to_json/from_json and the schema."""
    recorded = [f.name for f in dataclasses.fields(SourceInfo)]
    # and what the document adds about each source: the findings that rest on it
    assert [f.name for f in dataclasses.fields(SourceRecord)] == [*recorded, "findings"]
    assert list(report_dict(result_with_findings())["sources"][0]) == [*recorded, "findings"]


def test_a_report_from_before_the_optional_fields_reads_with_their_defaults() -> None:
    data = report_dict(unread_sources())
    data["feeds"][0].update(dated="2026-06-21", bundled=True, licence="CC BY 4.0")
    full = from_json(copy.deepcopy(data))
    del data["timeline"]
    for source in data["sources"]:
        del source["unread"], source["label"], source["findings"]
    for key in ("dated", "bundled", "licence"):
        del data["feeds"][0][key]
    old = from_json(data)
    assert old.timeline == ()
    assert [(s.unread, s.label) for s in old.sources] == [(None, ""), (None, "")]
    feed = old.feeds[0]
    assert (feed.dated, feed.bundled, feed.licence) == ("", False, "")
    bare = tuple(dataclasses.replace(s, unread=None, label="") for s in full.sources)
    assert dataclasses.replace(full, timeline=(), feeds=old.feeds, sources=bare) == old
    for render in (render_html, render_markdown):
        assert render(old, "zh")


def test_fields_a_newer_collector_adds_to_a_source_are_allowed_and_left_out() -> None:
    """The schema lets collectors add fields to a source: a report that has them reads (the
    reports show what this version knows) and renders as the report without them."""
    data = report_dict(result_with_findings())
    plain_document = from_json(copy.deepcopy(data))
    data["sources"][0]["files"] = [{"name": "a.pcap", "packets": 3}, None, "x" * 10_000]
    data["sources"][1]["battery"] = 0.5
    document = from_json(data)
    assert document == plain_document
    assert render_html(document, "en") == render_html(plain_document, "en")


def test_a_warning_keeps_its_params_only_beside_its_key() -> None:
    data = report_dict(result_with_findings())
    data["warnings"] = [{"source": "x", "message": "m", "count": 2, "params": {"reason": "r"}},
                        {"source": "x", "message": "m", "count": 1, "key": "warn.pcap.damaged",
                         "params": {"reason": "r"}}]
    first, second = from_json(data).warnings
    assert (first.key, first.params) == ("", ())
    assert (second.key, second.params) == ("warn.pcap.damaged", (("reason", "r"),))


@pytest.mark.parametrize(("data", "message"), [
    (None, "not a JSON report written by exposure"),
    ([1, 2], "not a JSON report written by exposure"),
    ({"hello": 1}, "not a JSON report written by exposure"),
    ({"schema": "exposure.report/9"}, "report format 'exposure.report/9' is not one this version can read"),
    ({"schema": "\x1b[2J" + "x" * 500}, "report format '\\x1b[2J" + "x" * 56 + "...' is not one"),
    ({"schema": "exposure.report/1", "findings": []}, "damaged or altered report ($: missing 'tool')"),
    ({"schema": [[[[]]]] * 1000}, "report format 'list' is not one this version can read"),
])
def test_what_is_not_a_report_is_one_line(data: object, message: str) -> None:
    with pytest.raises(ReportFormatError) as raised:
        from_json(data)
    said = str(raised.value)
    assert said.startswith(message) and "\n" not in said and "\x1b" not in said


def _values(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value inside ``node`` (keys and indexes)."""
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _values(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _values(value, (*path, index))
    return out


REPLACEMENTS: list[Any] = [None, True, 0, -1, 2**70, 1.5, "", "\u202e<b>x</b>", "critical", [], {}, [None], {"en": 1},
                           "2026-13-45T99:00:00+00:00"]


def test_any_change_to_a_saved_report_is_read_or_refused_in_one_line() -> None:
    """300 changes, each of one value anywhere in a real report (seeded, so a failure
    repeats): from_json returns a document both renderers show, or a ReportFormatError; and
    the schema's compiled check agrees with its node-by-node walk on every one."""
    original = json.loads((REPO / "docs" / "sample-report.json").read_text("utf-8"))
    paths = [p for p in _values(original) if p]
    rng = random.Random(20261204)
    read = refused = 0
    for _ in range(300):
        data = copy.deepcopy(original)
        path = rng.choice(paths)
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and rng.random() < 0.2:
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(REPLACEMENTS))
        assert compiled_check()(data) == (not walked(data)), path  # the quick check and the walk agree
        try:
            document = from_json(data)
        except ReportFormatError as exc:
            # (a changed "schema" value is another format's report: refused as such)
            assert "\n" not in str(exc) and str(exc).startswith(("damaged or altered report (", "report format '")), \
                str(exc)
            refused += 1
            continue
        assert isinstance(document, ReportDocument)
        for lang in ("en", "zh"):
            assert render_html(document, lang) and render_markdown(document, lang)
        read += 1
    assert read > 20 and refused > 100, (read, refused)  # both ways were taken


def test_to_json_is_what_the_schema_documents() -> None:
    """The JSON keeps its key order (docs/report-schema.md) and the schema's top-level fields."""
    from exposure.report.schema import report_schema

    data = to_json(from_result(result_with_findings()))
    assert list(data) == list(report_schema()["properties"])
