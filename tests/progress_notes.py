"""A check shared by the collector tests: progress says what is being read in words the app
can show in every language (a key in exposure/explain/checks.yaml, no placeholders)."""

from __future__ import annotations

from collections.abc import Iterable

from exposure.collect.base import Progress
from exposure.explain.notes import check_texts


def assert_progress_names_what_it_reads(seen: Iterable[Progress]) -> list[str]:
    """The keys of the ``reading`` notes, in order; fails on a missing or unshowable one."""
    keys = []
    for progress in seen:
        if progress.reading is None and progress.fraction is not None and progress.fraction >= 1.0:
            continue  # the app shows "done"
        assert progress.reading is not None, f"progress {progress.stage!r} does not say what it reads"
        text = check_texts().get(progress.reading.key)
        assert text is not None, f"{progress.reading.key} is not in checks.yaml"
        for lang in ("en", "zh"):
            shown = text.get(lang)
            assert shown and "{" not in shown, (progress.reading.key, lang)
        keys.append(progress.reading.key)
    return keys
