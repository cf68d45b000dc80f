"""The workshop demo: bundled synthetic data with planted findings, so a trainer can show a
detection without a real infected phone. ``make_demo_data.py`` regenerates the data."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from exposure.model import SourceSpec


def data_dir() -> Path:
    return Path(str(resources.files("exposure.demo").joinpath("data")))


def practice_capture() -> SourceSpec:
    """The synthetic capture (see make_demo_data.py), named "the practice network capture"."""
    return SourceSpec("pcap", str(data_dir() / "demo-capture.pcap"), (("label", "practice-capture"),))


def practice_phone() -> SourceSpec:
    """The synthetic androidqf acquisition, named "the practice phone"."""
    return SourceSpec("androidqf", str(data_dir() / "demo-phone"), (("label", "practice-phone"),))


def demo_sources() -> tuple[SourceSpec, ...]:
    """Both practice sources: a synthetic capture and a synthetic androidqf acquisition."""
    return (practice_capture(), practice_phone())

