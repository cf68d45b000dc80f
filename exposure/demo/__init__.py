"""The workshop demo: bundled synthetic data with planted findings, so a trainer can show a
detection without a real infected phone. ``make_demo_data.py`` regenerates the data."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from exposure.model import SourceSpec


def data_dir() -> Path:
    return Path(str(resources.files("exposure.demo").joinpath("data")))


def demo_sources() -> tuple[SourceSpec, ...]:
    """A synthetic capture and a synthetic androidqf acquisition (see make_demo_data.py)."""
    folder = data_dir()
    return (
        SourceSpec("pcap", str(folder / "demo-capture.pcap")),
        SourceSpec("androidqf", str(folder / "demo-phone")),
    )
