"""The bundled text tables (``exposure/explain/*.yaml`` and ``rules/*.yaml``), read from their
precompiled form so that a scan starts without YAML.

``precompiled.json`` beside this module holds what a YAML reader gives for each of those
files, as plain JSON, with the SHA-256 of every file it was made from. It is used only when
every one of those files is unchanged (hashing the ~190 KB of YAML costs well under a
millisecond); otherwise (a text edited in a checkout, a damaged install) the YAML files are
read as before. ``python -m exposure.explain.tables`` writes it again, and a test checks
that it is current and says what the YAML files say.
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parent
PATH = FOLDER / "precompiled.json"
SCHEMA = "exposure.texts/1"


def source_files() -> list[Path]:
    """Every bundled text table, by its name relative to ``exposure/explain``."""
    return sorted([*FOLDER.glob("*.yaml"), *(FOLDER / "rules").glob("*.yaml")])


def name_of(path: Path) -> str:
    """``texts.yaml``, ``rules/host.yaml``: how a table is named here and in the JSON."""
    return path.relative_to(FOLDER).as_posix()


def table(name: str) -> Any:
    """What the YAML reader gives for the bundled file ``name`` (a mapping or a list; never
    changed by callers: the precompiled form is shared). Raises ``yaml.YAMLError`` when the
    precompiled form cannot be used and the file is broken, OSError when it is missing."""
    document = _document()
    if document is not None and name in document["tables"]:
        return document["tables"][name]
    return read_yaml((FOLDER / name).read_text("utf-8"))


def rule_tables() -> list[tuple[str, Any]]:
    """(file name, content) of every ``rules/*.yaml``, sorted; the content None for a file
    that does not parse (a packaging bug the tests catch; its findings keep English titles)."""
    out: list[tuple[str, Any]] = []
    for path in source_files():
        name = name_of(path)
        if not name.startswith("rules/"):
            continue
        try:
            out.append((path.name, table(name)))
        except Exception as exc:
            yaml = sys.modules.get("yaml")  # a YAML error comes only after the fallback imported it
            if yaml is None or not isinstance(exc, yaml.YAMLError):
                raise
            out.append((path.name, None))
    return out


def read_yaml(text: str) -> Any:
    """A bundled text file read the slow way (PyYAML's C reader when there is one)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader


def digests(files: list[Path]) -> dict[str, str]:
    return {name_of(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@cache
def _document() -> dict[str, Any] | None:
    try:
        document = json.loads(PATH.read_bytes())
        if (not isinstance(document, dict) or document.get("schema") != SCHEMA
                or not isinstance(document.get("tables"), dict)):
            return None
        if document.get("sources") != digests(source_files()):
            return None  # made from other files: never used
    except (OSError, ValueError):
        return None
    return document


def build() -> dict[str, Any]:
    """The precompiled document, made by reading every table with YAML."""
    files = source_files()
    return {"schema": SCHEMA, "sources": digests(files),
            "tables": {name_of(p): read_yaml(p.read_text("utf-8")) for p in files}}


def main() -> int:
    PATH.write_text(json.dumps(build(), ensure_ascii=False, separators=(",", ":")) + "\n",
                    encoding="utf-8")
    print(f"wrote {PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
