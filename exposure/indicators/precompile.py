"""Write ``data/precompiled.json`` from the bundled profiles and feeds (see ``precompiled``).

    python -m exposure.indicators.precompile

Run it after changing a profile, a bundled feed file, the precedence rule or
``data/shared_certificates.txt`` (the document keeps the rule's result for a fresh install);
a test fails until it is current.
"""

from __future__ import annotations

import sys
from typing import Any

from exposure.indicators import bundled, catalog, precompiled, profiles
from exposure.indicators.datafiles import feed_files


def build() -> dict[str, Any]:
    """The document, made by reading every source file the slow way."""
    files = profiles.bundled_files()
    read = profiles.read_bundled_profiles(files)
    feeds, problems = bundled.read_bundled()
    if problems:
        raise RuntimeError("; ".join(problem.text for problem in problems))
    document = precompiled.dump(read, feeds, precompiled.sources(files, feed_files()))
    # the precedence rule's result for a fresh install, over the objects a scan makes from this
    lazy = precompiled.feeds_from(document)
    merged = catalog.default_merge(precompiled.profiles_from(document, profiles.bundled_dir()), lazy)
    document["default"] = precompiled.dump_merged(document, merged, lazy)
    return document


def main() -> int:
    text = precompiled.to_text(build())  # ASCII: the fastest form to read
    precompiled.PATH.write_text(text, encoding="utf-8")
    print(f"wrote {precompiled.PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
