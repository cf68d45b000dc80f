"""Where the read-only ../shared material is (tests may read it; the package never does)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FEEDS = SHARED / "feeds"
FIXTURES = SHARED / "fixtures"
