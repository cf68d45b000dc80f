"""Reading a saved JSON report back: is it ours, and is it well formed?

The one source of truth is ``report.schema.json`` (JSON Schema draft 2020-12) next to
this module. A saved report may come from anywhere, so before it is rendered it is
checked against that file with the small subset of JSON Schema the file uses (type,
const, enum, required, properties, additionalProperties, items, minimum, $ref). The tests
check the same file with the full ``jsonschema`` library.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from exposure.errors import UserError
from exposure.untrusted import shortened

SCHEMA_FILE = "report.schema.json"
MAX_REPORT_BYTES = 200 * 1024 * 1024

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "object": (dict,), "array": (list,), "null": (type(None),),
}


@cache
def report_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("exposure.report").joinpath(SCHEMA_FILE).read_text("utf-8"))
    return data


class ReportFormatError(UserError):
    """Data that is not an exposure report, is of another version, or breaks the schema;
    the message is one line, without the file's name (``load_report`` adds it)."""


def check_report(data: Any) -> None:
    """Raise :class:`ReportFormatError` unless ``data`` is a report this version reads."""
    if not isinstance(data, dict) or "schema" not in data:
        raise ReportFormatError("not a JSON report written by exposure")
    if data["schema"] != report_schema()["properties"]["schema"]["const"]:
        said = shortened(str(data["schema"])[:200], 60)
        raise ReportFormatError(f"report format '{said}' is not one this version can read")
    found = problems(data)
    if found:
        raise ReportFormatError(f"damaged or altered report ({shortened(found[0], 200)})")


def problems(data: Any, limit: int = 1) -> list[str]:
    """Where ``data`` breaks the report schema, as ``path: what`` (at most ``limit``)."""
    schema = report_schema()
    found: list[str] = []
    _check(data, schema, schema, "$", found, limit)
    return found


# One branch per JSON Schema keyword the report schema uses: they belong together (noqa: C901).
def _check(data: Any, node: dict[str, Any], root: dict[str, Any], where: str, found: list[str],  # noqa: C901
           limit: int) -> None:
    if len(found) >= limit:
        return
    if "$ref" in node:
        ref = str(node["$ref"])
        target: Any = root
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        _check(data, target, root, where, found, limit)
        return
    if "const" in node and data != node["const"]:
        found.append(f"{where}: expected {node['const']!r}")
        return
    if "enum" in node and data not in node["enum"]:
        found.append(f"{where}: not one of {', '.join(map(str, node['enum']))}")
        return
    if "type" in node:
        names = node["type"] if isinstance(node["type"], list) else [node["type"]]
        if not any(_is(data, name) for name in names):
            found.append(f"{where}: expected {' or '.join(names)}")
            return
    if isinstance(data, int) and not isinstance(data, bool) and "minimum" in node and data < node["minimum"]:
        found.append(f"{where}: below {node['minimum']}")
    if isinstance(data, dict):
        for key in node.get("required", ()):
            if key not in data:
                found.append(f"{where}: missing {key!r}")
                return
        properties = node.get("properties", {})
        extra = node.get("additionalProperties", True)
        for key, item in data.items():
            if key in properties:
                _check(item, properties[key], root, f"{where}.{key}", found, limit)
            elif extra is False:
                found.append(f"{where}: unexpected {key!r}")
            elif isinstance(extra, dict):
                _check(item, extra, root, f"{where}.{key}", found, limit)
            if len(found) >= limit:
                return
    if isinstance(data, list) and "items" in node:
        for i, item in enumerate(data):
            _check(item, node["items"], root, f"{where}[{i}]", found, limit)
            if len(found) >= limit:
                return


def _is(data: Any, type_name: str) -> bool:
    if type_name in ("integer", "number") and isinstance(data, bool):
        return False
    return isinstance(data, _TYPES.get(type_name, (object,)))


def load_report(path: Path) -> dict[str, Any]:
    """A saved report, checked; any problem is one line for the user (UserError)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise UserError(f"{path}: too large to be an exposure report")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a report") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise UserError(f"{path}: not a JSON report written by exposure") from None
    try:
        check_report(data)
    except ReportFormatError as exc:
        raise ReportFormatError(f"{path}: {exc}") from None
    return data  # type: ignore[no-any-return]  # a dict: check_report says so
