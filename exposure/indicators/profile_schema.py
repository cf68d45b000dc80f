"""Strict checking of threat-profile YAML (schema ``exposure.profile/1``, see docs/profiles.md).

The file is read with ``yaml.compose`` and a safe loader: we walk the node tree ourselves,
so no Python object is ever built from a tag, and every problem is reported with the line
it sits on, as ``FILE:LINE: message``. All problems are collected, not just the first.
Anchors and aliases are refused (a shared node could make the walk blow up).

:func:`parse_profile` checks one file; ``profile_links.check_together`` adds the checks that
need several files (a threat id used twice, ``includes`` of threats from other profiles).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import yaml

from exposure.indicators.normalize import InvalidValue, normalize
from exposure.indicators.severity import headline
from exposure.model import (
    Category,
    Indicator,
    IndicatorRole,
    IndicatorType,
    LocalText,
    Profile,
    Reference,
    Severity,
    Threat,
)

SCHEMA = "exposure.profile/1"
# Far above any hand-curated profile (the stalkerware core is ~1,000 lines); keeps a hostile
# file from tying the checker up. Big lists belong in a feed.
MAX_BYTES = 4 * 1024 * 1024
MAX_LINES = 50_000

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
# Tags a safe loader resolves by itself on plain scalars; anything else was written by hand.
_CORE_TAGS = frozenset({_STR, _INT, _BOOL, _MAP, _SEQ, "tag:yaml.org,2002:null",
                        "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"})

_TOP_KEYS = {"schema": True, "id": True, "title": True, "description": True, "feeds": False,
             "includes": False, "opt_in": False, "references": True, "threats": True}
_THREAT_KEYS = {"id": True, "name": True, "aliases": False, "category": True, "severity": True,
                "what_it_is": True, "what_it_can_do": True, "what_to_do": True, "references": True,
                "indicators": True, "detection": False, "severity_reason": False}
_INDICATOR_KEYS = {"type": True, "value": True, "role": False, "refs": True, "supporting": False,
                   "note": False, "max_severity": False, "first_seen": False, "last_seen": False}
_DAY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_REFERENCE_KEYS = {"title": True, "url": False}

_NETWORK_TYPES = frozenset({IndicatorType.DOMAIN, IndicatorType.IPV4, IndicatorType.IPV6,
                            IndicatorType.CIDR, IndicatorType.URL, IndicatorType.EMAIL})

E = TypeVar("E", Category, Severity, IndicatorType, IndicatorRole)

# libyaml's safe loader when present (ten times faster on the large profiles), else PyYAML's.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def default_role(kind: IndicatorType, category: Category) -> IndicatorRole:
    """The role an indicator has when the file does not say."""
    if category is Category.FLAGGED_APP:
        return IndicatorRole.FLAGGED
    return IndicatorRole.C2 if kind in _NETWORK_TYPES else IndicatorRole.APP


@dataclass(slots=True)
class ParsedProfile:
    """One checked file: the profile, plus what the cross-file checks need."""

    profile: Profile
    path: str
    id_line: int
    threat_lines: dict[str, int] = field(default_factory=dict)
    includes: list[tuple[str, int]] = field(default_factory=list)


class _Errors:
    def __init__(self, path: str) -> None:
        self.path = path
        self.lines: list[tuple[int, str]] = []

    def add(self, node: yaml.Node | int, message: str) -> None:
        line = node if isinstance(node, int) else node.start_mark.line + 1
        self.lines.append((line, message))

    def formatted(self) -> list[str]:
        return [f"{self.path}:{line}: {message}" for line, message in sorted(self.lines, key=lambda x: x[0])]


def parse_profile(text: str, path: str) -> tuple[ParsedProfile | None, list[str]]:
    """Check one profile file. Returns the parsed profile (None if it has errors) and the errors."""
    errors = _Errors(path)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES or text.count("\n") > MAX_LINES:
        errors.add(1, f"too large for a profile (over {MAX_BYTES // (1024 * 1024)} MiB or {MAX_LINES:,} lines); "
                   "import long lists as a feed instead")
        return None, errors.formatted()
    try:
        root = yaml.compose(text, Loader=_SAFE_LOADER)
    except RecursionError:
        errors.add(1, "not valid YAML: nested too deeply")
        return None, errors.formatted()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        errors.add(line, f"not valid YAML: {exc.problem or exc.context or 'syntax error'}")
        return None, errors.formatted()
    except yaml.YAMLError as exc:
        errors.add(1, f"not valid YAML: {exc}")
        return None, errors.formatted()
    if root is None:
        errors.add(1, "empty file: a profile is a mapping (see docs/profiles.md)")
        return None, errors.formatted()
    if not _check_tree(root, errors):
        return None, errors.formatted()
    parsed = _Reader(errors, path).profile(root)
    if errors.lines:
        return None, errors.formatted()
    return parsed, []


# -- first pass: tags, aliases, duplicate keys --------------------------------------


def _check_tree(root: yaml.Node, errors: _Errors) -> bool:
    """Refuse aliases, unknown tags and duplicate keys before reading anything."""
    seen: set[int] = set()
    stack: list[yaml.Node] = [root]
    ok = True
    while stack:
        node = stack.pop()
        if id(node) in seen:
            errors.add(node, "YAML anchors and aliases are not allowed in a profile")
            return False
        seen.add(id(node))
        if node.tag not in _CORE_TAGS:
            errors.add(node, f"YAML tag {node.tag!r} is not allowed (only plain values, lists and mappings)")
            ok = False
            continue
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys:
                        errors.add(key, f"duplicate key {key.value!r} (first on line {keys[key.value]})")
                        ok = False
                    keys[key.value] = key.start_mark.line + 1
                stack.append(key)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return ok


# -- second pass: the schema ---------------------------------------------------------


_Item = TypeVar("_Item")


class _Reader:
    """Reads the checked node tree into model objects, recording every problem."""

    def __init__(self, errors: _Errors, path: str) -> None:
        self.err = errors
        self.path = path

    def profile(self, root: yaml.Node) -> ParsedProfile | None:
        fields = self.mapping(root, _TOP_KEYS, "a profile")
        if fields is None:
            return None
        schema = self.string(fields.get("schema"))
        if schema is not None and schema != SCHEMA:
            self.err.add(fields["schema"], f"schema must be {SCHEMA!r}, not {schema!r}")
        profile_id = self.ident(fields.get("id"), "profile id") or ""
        title = self.text(fields.get("title"))
        description = self.text(fields.get("description"))
        for feed in self.seq(fields.get("feeds"), self.string):
            if not _ID.match(feed[1]):
                self.err.add(feed[0], f"feed name {feed[1]!r}: use lower-case letters, digits and '-'")
        includes = [(value, node.start_mark.line + 1)
                    for node, value in self.seq(fields.get("includes"), lambda n: self.ident(n, "threat id"))]
        refs = self.references(fields.get("references"))
        opt_in = bool(self.boolean(fields.get("opt_in"))) if "opt_in" in fields else False
        parsed = ParsedProfile(
            profile=Profile(profile_id, title, description, (), (), self.path, opt_in),
            path=self.path,
            id_line=fields["id"].start_mark.line + 1 if "id" in fields else 1,
            includes=includes,
        )
        threats: list[Threat] = []
        indicators: list[Indicator] = []
        threat_nodes = fields.get("threats")
        items = self.seq(threat_nodes, lambda n: n)
        if threat_nodes is not None and isinstance(threat_nodes, yaml.SequenceNode) and not items and not includes:
            self.err.add(threat_nodes, "a profile needs at least one threat (or 'includes')")
        for node, _ in items:
            found = self.threat(node, profile_id, refs)
            if found is None:
                continue
            threat, inds, line = found
            if threat.id in parsed.threat_lines:
                first = parsed.threat_lines[threat.id]
                self.err.add(line, f"duplicate threat id {threat.id!r} (first on line {first})")
                continue
            parsed.threat_lines[threat.id] = line
            threats.append(threat)
            indicators.extend(inds)
        parsed.profile = Profile(profile_id, title, description, tuple(threats), tuple(indicators), self.path,
                                 opt_in)
        return parsed

    def references(self, node: yaml.Node | None) -> dict[str, Reference]:
        out: dict[str, Reference] = {}
        if node is None:
            return out
        if not isinstance(node, yaml.MappingNode):
            self.err.add(node, "'references' must be a mapping of id -> {title, url}")
            return out
        for key, value in node.value:
            ref_id = self.ident(key, "reference id")
            fields = self.mapping(value, _REFERENCE_KEYS, "a reference")
            if ref_id is None or fields is None:
                continue
            title, titles = self.reference_title(fields.get("title"))
            url = self.string(fields.get("url")) or ""
            if url and not url.startswith(("https://", "http://")):
                self.err.add(fields["url"], f"url must start with https:// or http://: {url!r}")
            out[ref_id] = Reference(title=title, url=url, titles=titles)
        return out

    def reference_title(self, node: yaml.Node | None) -> tuple[str, tuple[tuple[str, str], ...]]:
        """A source's own title (a string, the same in every language), or our words for it
        as a text ({en: ..., zh: ...}): its English title and its other languages'."""
        if isinstance(node, yaml.MappingNode):
            text = self.text(node)
            return text.get("en"), tuple((lang, value) for lang, value in text.values if lang != "en")
        return self.string(node) or "", ()

    def threat(self, node: yaml.Node, profile_id: str,
               refs: dict[str, Reference]) -> tuple[Threat, list[Indicator], int] | None:
        fields = self.mapping(node, _THREAT_KEYS, "a threat")
        if fields is None:
            return None
        threat_id = self.ident(fields.get("id"), "threat id")
        category = self.enum(fields.get("category"), Category, "category", exclude=(Category.HEURISTIC,))
        severity = self.enum(fields.get("severity"), Severity, "severity")
        name = self.text(fields.get("name"))
        texts = {key: self.text(fields.get(key)) for key in ("what_it_is", "what_it_can_do", "what_to_do")}
        if "detection" in fields:
            self.text(fields["detection"])
        reason = self.text(fields.get("severity_reason")) if "severity_reason" in fields else LocalText()
        if category is not None and severity is not None:
            self.check_severity(fields, category, severity, reason)
        aliases = tuple(value for _, value in self.seq(fields.get("aliases"), self.string))
        threat_refs = self.ref_list(fields.get("references"), refs)
        indicators: list[Indicator] = []
        seen: dict[tuple[IndicatorType, str], int] = {}
        items = self.seq(fields.get("indicators"), lambda n: n)
        if not items and "indicators" in fields and "detection" not in fields:
            self.err.add(fields["indicators"], "a threat without indicators must say how it is found otherwise "
                         "('detection')")
        for item, _ in items:
            ind = self.indicator(item, threat_id or "", profile_id, category or Category.SPYWARE, refs)
            if ind is None:
                continue
            key = (ind.type, ind.value)
            line = item.start_mark.line + 1
            if key in seen:
                self.err.add(item, f"duplicate indicator {ind.type.value} {ind.value!r} in threat {threat_id or ''!r} "
                             f"(first on line {seen[key]})")
                continue
            seen[key] = line
            indicators.append(ind)
        if threat_id is None or category is None or severity is None:
            return None
        threat = Threat(
            id=threat_id, name=name, category=category, severity=severity, profile=profile_id,
            aliases=aliases, what_it_is=texts["what_it_is"], what_it_can_do=texts["what_it_can_do"],
            what_to_do=texts["what_to_do"], references=tuple(threat_refs), severity_reason=reason,
        )
        return threat, indicators, fields["id"].start_mark.line + 1

    def check_severity(self, fields: dict[str, yaml.Node], category: Category, severity: Severity,
                       reason: LocalText) -> None:
        """A threat's severity is what docs/severity.md gives its category, or lower with a reason."""
        most = headline(category)
        if severity.rank < most.rank:
            self.err.add(fields["severity"], f"severity {severity.value!r} is above {most.value!r}, the most a "
                         f"{category.value} threat can be (docs/severity.md)")
        elif severity.rank > most.rank and not reason.values:
            self.err.add(fields["severity"], f"severity {severity.value!r} is below {most.value!r} (what "
                         f"docs/severity.md gives a {category.value} threat): say why in 'severity_reason'")

    def indicator(self, node: yaml.Node, threat_id: str, profile_id: str, category: Category,
                  refs: dict[str, Reference]) -> Indicator | None:
        fields = self.mapping(node, _INDICATOR_KEYS, "an indicator")
        if fields is None:
            return None
        kind = self.enum(fields.get("type"), IndicatorType, "indicator type")
        role = self.enum(fields.get("role"), IndicatorRole, "role") if "role" in fields else None
        supporting = self.boolean(fields.get("supporting")) if "supporting" in fields else False
        note = self.text(fields.get("note")) if "note" in fields else LocalText()
        cap = self.enum(fields.get("max_severity"), Severity, "max_severity") if "max_severity" in fields else None
        first_seen, last_seen = self.day(fields.get("first_seen")), self.day(fields.get("last_seen"))
        if first_seen and last_seen and first_seen > last_seen:
            self.err.add(fields["first_seen"], f"first_seen {first_seen} is after last_seen {last_seen}")
        ind_refs = self.ref_list(fields.get("refs"), refs)
        value_node = fields.get("value")
        raw = self.string(value_node, allow_int=True)
        if kind is None or raw is None or value_node is None:
            return None
        try:
            value = normalize(kind, raw)
        except InvalidValue as exc:
            self.err.add(value_node, f"malformed {kind.value}: {exc}")
            return None
        return Indicator(
            type=kind, value=value, threat=threat_id, profile=profile_id, source=f"profile:{profile_id}",
            role=role or default_role(kind, category), references=tuple(ind_refs), note=note.get("en"),
            supporting=bool(supporting), first_seen=first_seen, last_seen=last_seen, max_severity=cap,
        )

    # -- typed readers: each records its own error and returns None -----------------

    def mapping(self, node: yaml.Node | None, keys: dict[str, bool], what: str) -> dict[str, yaml.Node] | None:
        if node is None:
            return None
        if not isinstance(node, yaml.MappingNode):
            self.err.add(node, f"expected {what} (a mapping), found {_kind(node)}")
            return None
        out: dict[str, yaml.Node] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) and key.tag == _STR else None
            if name is None or name not in keys:
                allowed = ", ".join(keys)
                self.err.add(key, f"unknown key {_show(key)} in {what} (allowed: {allowed})")
                continue
            out[name] = value
        for name, required in keys.items():
            if required and name not in out:
                self.err.add(node, f"missing key {name!r} in {what}")
        return out

    def seq(self, node: yaml.Node | None,
            read: Callable[[yaml.Node], _Item | None]) -> list[tuple[yaml.Node, _Item]]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.err.add(node, f"expected a list, found {_kind(node)}")
            return []
        out = []
        for item in node.value:
            value = read(item)
            if value is not None:
                out.append((item, value))
        return out

    def string(self, node: yaml.Node | None, allow_int: bool = False) -> str | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or not (node.tag == _STR or (allow_int and node.tag == _INT)):
            self.err.add(node, f"expected text, found {_kind(node)}")
            return None
        value = str(node.value)
        if not value.strip():
            self.err.add(node, "expected text, found an empty value")
            return None
        return value

    def boolean(self, node: yaml.Node | None) -> bool | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag != _BOOL:
            self.err.add(node, f"expected true or false, found {_kind(node)}")
            return None
        return str(node.value).lower() in ("true", "yes", "on")

    def day(self, node: yaml.Node | None) -> str:
        """A date as ``YYYY-MM-DD`` or ``YYYY-MM`` (quoted or not); "" when absent or wrong."""
        if node is None:
            return ""
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_STR, _TIMESTAMP):
            self.err.add(node, f"expected a date (YYYY-MM-DD or YYYY-MM), found {_kind(node)}")
            return ""
        value = str(node.value).strip()
        if not _DAY.match(value):
            self.err.add(node, f"expected a date (YYYY-MM-DD or YYYY-MM), found {value!r}")
            return ""
        return value

    def ident(self, node: yaml.Node | None, what: str) -> str | None:
        value = self.string(node)
        if value is None or node is None:
            return None
        if not _ID.match(value) or len(value) > 80:
            self.err.add(node, f"{what} {value!r}: use lower-case letters, digits and single '-'")
            return None
        return value

    def enum(self, node: yaml.Node | None, enum: type[E], what: str, exclude: tuple[E, ...] = ()) -> E | None:
        value = self.string(node)
        if value is None or node is None:
            return None
        try:
            found = enum(value)
        except ValueError:
            found = None
        if found is not None and found not in exclude:
            return found
        allowed = [member for member in enum if member not in exclude]
        self.err.add(node, f"unknown {what} {value!r} (one of: {', '.join(m.value for m in allowed)})")
        return None

    def text(self, node: yaml.Node | None) -> LocalText:
        if node is None:
            return LocalText()
        if not isinstance(node, yaml.MappingNode):
            self.err.add(node, f"expected a text as {{en: ..., zh: ...}}, found {_kind(node)}")
            return LocalText()
        values: list[tuple[str, str]] = []
        for key, value in node.value:
            lang = key.value if isinstance(key, yaml.ScalarNode) and key.tag == _STR else ""
            if not _LANG.match(lang):
                self.err.add(key, f"{_show(key)} is not a language code (such as en, zh)")
                continue
            text = self.string(value)
            if text is not None:
                values.append((lang, text.strip()))
        if not any(isinstance(key, yaml.ScalarNode) and key.value == "en" for key, _ in node.value):
            self.err.add(node, "text has no English ('en') version")
        return LocalText(tuple(values))

    def ref_list(self, node: yaml.Node | None, refs: dict[str, Reference]) -> list[Reference]:
        items = self.seq(node, self.string)
        if node is not None and isinstance(node, yaml.SequenceNode) and not node.value:
            self.err.add(node, "at least one reference is needed")
        out = []
        for item, ref_id in items:
            if ref_id not in refs:
                known = ", ".join(sorted(refs)) or "none"
                self.err.add(item, f"unknown reference {ref_id!r} (defined in 'references': {known})")
                continue
            out.append(refs[ref_id])
        return out


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = str(node.tag).rsplit(":", 1)[-1]
    names = {"str": "text", "int": "a number", "float": "a number", "bool": "true/false", "null": "nothing",
             "timestamp": "a date"}
    shown = _show(node)
    return f"{names.get(tag, tag)} {shown}" if tag != "null" else "nothing"


def _show(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        value = str(node.value)
        return repr(value if len(value) <= 60 else value[:57] + "...")
    return _kind(node)
