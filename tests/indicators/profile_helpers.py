"""Helpers for the profile tests: a small valid profile text, and a fake phone collector."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from exposure.collect.base import CollectContext
from exposure.model import Observation, SourceInfo
from exposure.observations.android import AndroidPackage

# A valid profile; tests change one line and check the error's line number.
VALID = """\
schema: exposure.profile/1
id: test-profile
title: {en: Test, zh: 测试}
description: {en: A test profile., zh: 测试用。}
references:
  r1: {title: Example report, url: https://example.org/report}
threats:
  - id: test-threat
    name: {en: Test threat, zh: 测试威胁}
    category: spyware
    severity: critical
    what_it_is: {en: a, zh: 甲}
    what_it_can_do: {en: b, zh: 乙}
    what_to_do: {en: c, zh: 丙}
    references: [r1]
    indicators:
      - {type: package, value: com.example.spy, refs: [r1]}
      - {type: domain, value: c2.example.net, refs: [r1]}
"""


class FakePhone:
    """Yields one AndroidPackage per ``package[|sha256-cert]`` item in the spec's target."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.info = SourceInfo(kind="fake-phone", name="test phone")

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        for item in self.target.split(","):
            package, _, cert = item.partition("|")
            yield AndroidPackage("fake-phone", "test phone", package=package,
                                 cert_sha256=(cert,) if cert else ())


def make_collector(spec: Any) -> FakePhone:
    return FakePhone(spec.target)
