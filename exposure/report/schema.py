"""Reading a saved JSON report back: is it ours, and is it well formed?

The one source of truth is ``report.schema.json`` (JSON Schema draft 2020-12) next to
this module. A saved report may come from anywhere, so before it is rendered it is
checked against that file with the small subset of JSON Schema the file uses (type,
const, enum, required, properties, additionalProperties, items, minimum, $ref): compiled
once into one function for the quick yes or no, and walked node by node only to say where
a report breaks it. The tests check the same file with the full ``jsonschema`` library.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from exposure.errors import UserError
from exposure.untrusted import FileTooLarge, SpecialFile, UntrustedInputError, load_json, read_regular_file, shortened

SCHEMA_FILE = "report.schema.json"
# A saved report may come from anywhere. Parsed JSON takes up to 20 times its size in
# memory; a report of a large scan is a few MiB. (JSON depth and number sizes: untrusted.py.)
MAX_REPORT_BYTES = 32 * 1024 * 1024

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
        raw = data["schema"]  # a name, or anything (never turned into text whole: it may nest deep)
        said = shortened(raw[:200], 60) if isinstance(raw, str) else type(raw).__name__
        raise ReportFormatError(f"report format '{said}' is not one this version can read")
    found = problems(data)
    if found:
        raise ReportFormatError(f"damaged or altered report ({shortened(found[0], 200)})")


def problems(data: Any, limit: int = 1) -> list[str]:
    """Where ``data`` breaks the report schema, as ``path: what`` (at most ``limit``).

    A compiled check answers first (no paths, no messages); only data it refuses is walked
    again to say where, so a well-formed report of a large scan is checked in one quick pass.
    """
    return [] if compiled_check()(data) else walked(data, limit)


def walked(data: Any, limit: int = 1) -> list[str]:
    """:func:`problems` found by walking the schema node by node (slower; says where)."""
    schema = report_schema()
    found: list[str] = []
    _check(data, schema, schema, "$", found, limit)
    return found


Validator = Callable[[Any], bool]


@cache
def compiled_check() -> Validator:
    """The report schema as one function: does this data pass it? (No paths, no messages.)"""
    schema = report_schema()
    return _compile(schema, schema, {})


def _compile(node: dict[str, Any], root: dict[str, Any], done: dict[int, Validator]) -> Validator:
    """``node`` as a function that says whether data passes it: the same keywords, read the
    same way, as :func:`_check` (tests/report/test_document.py holds the two together)."""
    if id(node) in done:
        return done[id(node)]
    if "$ref" in node:  # like _check: a reference stands for the whole node
        target: Any = root
        for part in str(node["$ref"]).removeprefix("#/").split("/"):
            target = target[part]
        done[id(node)] = _compile(target, root, done)
        return done[id(node)]
    tests: list[Validator] = []
    if "const" in node:
        const = node["const"]
        tests.append(lambda data: bool(data == const))
    if "enum" in node:
        allowed = node["enum"]
        tests.append(lambda data: data in allowed)
    if "type" in node:
        names = node["type"] if isinstance(node["type"], list) else [node["type"]]
        kinds = tuple(kind for name in names for kind in _TYPES.get(name, (object,)))
        bool_ok = "boolean" in names or any(name not in _TYPES for name in names)
        tests.append(lambda data: isinstance(data, kinds) and (bool_ok or not isinstance(data, bool)))
    if "minimum" in node:
        least = node["minimum"]
        tests.append(lambda data: not (isinstance(data, int) and not isinstance(data, bool) and data < least))
    if "required" in node or "properties" in node or "additionalProperties" in node:
        tests.append(_object_test(node, root, done))
    if "items" in node:
        item = _compile(node["items"], root, done)
        tests.append(lambda data: not isinstance(data, list) or all(item(x) for x in data))

    def passes(data: Any) -> bool:
        return all(test(data) for test in tests)

    done[id(node)] = passes
    return passes


def _object_test(node: dict[str, Any], root: dict[str, Any], done: dict[int, Validator]) -> Validator:
    required = tuple(node.get("required", ()))
    properties = {key: _compile(sub, root, done) for key, sub in node.get("properties", {}).items()}
    extra = node.get("additionalProperties", True)
    other: Validator | None = _compile(extra, root, done) if isinstance(extra, dict) else None

    def passes(data: Any) -> bool:
        if not isinstance(data, dict):
            return True
        if any(key not in data for key in required):
            return False
        for key, value in data.items():
            check = properties.get(key)
            if check is not None:
                if not check(value):
                    return False
            elif extra is False:
                return False
            elif other is not None and not other(value):
                return False
        return True

    return passes


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
        raw = read_regular_file(path, MAX_REPORT_BYTES)  # never opens a named pipe or a device
    except FileTooLarge:
        raise UserError(f"{path}: too large to be an exposure report", key="error.report-file.too-large",
                        path=path) from None
    except SpecialFile as exc:
        if exc.kind == "a folder":
            raise UserError(f"{path}: is a folder, not a report", key="error.report-file.folder", path=path) from None
        raise UserError(f"{path}: {exc.kind}, not a report; not opened", key="error.report-file.special",
                        path=path, kind=exc.kind) from None
    except FileNotFoundError:
        raise UserError(f"{path}: no such file", key="error.report-file.missing", path=path) from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a report", key="error.report-file.folder", path=path) from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror or exc})", key="error.report-file.unreadable",
                        path=path, problem=exc.strerror or exc) from None
    try:
        data = load_json(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{path}: not a JSON report written by exposure", key="error.report-file.not-a-report",
                        path=path) from None
    except UntrustedInputError as exc:  # not JSON, or nested too deeply
        raise UserError(f"{path}: not a JSON report written by exposure ({exc})", key="error.report-file.not-json",
                        path=path, problem=exc) from None
    try:
        check_report(data)
    except ReportFormatError as exc:
        raise ReportFormatError(f"{path}: {exc}", key="error.report-file.not-valid", path=path,
                                problem=exc) from None
    return data  # type: ignore[no-any-return]  # a dict: check_report says so
