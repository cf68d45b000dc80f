"""The reasons our code writes into a warning's params, found in the source (not by running it).

A collector says why something could not be read in English words it passes on as a
param (``reason``, ``problem``, ``what``, ``kind``): the capture reader's ``problem("truncated
last packet")``, the extractor's ``_bad("damaged packet")``, an adb command that gave ``no
answer within 30 s``. The test in ``test_reasons.py`` checks that each one has Chinese in
``exposure/explain/reasons.yaml``; this module finds them, so that a reason added later
without a translation breaks that test.

What is found (each as a *template*: the fixed words, with ``{}`` for a part the code fills
in at run time, such as a number, a size or a name read from a file):

- in ``exposure/collect/net/``: the first argument of every call to a function that counts a
  reason (:data:`NET_SINKS`), the name argument of ``NameTables._keep``, and the reasons a
  ``given_up`` method returns;
- in ``exposure/collect/`` and ``exposure/untrusted.py``: the message of every exception
  whose text becomes a warning's ``problem`` (:data:`PROBLEM_EXCEPTIONS`), what the
  functions that word such messages return (:data:`WORDING_FUNCTIONS`), reasons stored
  for an iPhone answer that could not be read (``read.failed[...] = ...``), the
  ``_stop(ctx, what)`` of the adb collector, and any ``reason=``, ``problem=``, ``what=`` or
  ``kind=`` given to a note, a warning or an error (:data:`NOTE_MAKERS`).

A name is followed to what the function assigns it, or to the module-level constant it
names (``PARSER_ERROR``); a name that is a parameter of the function, or bound by a loop or
an ``except`` (a reason passed on), is not a new reason. Anything else the finder cannot
follow (a name it does not know, a call to a function it does not read) is reported, so that
the test asks for a look rather than passing.
"""

from __future__ import annotations

import ast
import itertools
import string
from dataclasses import dataclass
from pathlib import Path

from exposure.explain.reasons import REASON_PARAMS
from tests.paths import REPO

EXPOSURE = REPO / "exposure"
NET = EXPOSURE / "collect" / "net"
# Functions of the capture reader and the extractor that count a reason (the argument's index).
NET_SINKS = {"_bad": 0, "_bad_parsed": 0, "bad": 0, "_over": 0, "over": 0, "_timed_out": 0, "timed_out": 0,
             "_drop": 0, "drop": 0, "_problem": 0, "problem": 0, "_keep": 3}
# Calls whose argument looks like a reason but is never shown (merge.py's reason to read a
# capture in one pass instead of on every core).
NET_NOT_SHOWN = frozenset({"_NotExact"})
# Exceptions whose message a collector puts in a warning's ``problem`` param.
PROBLEM_EXCEPTIONS = frozenset({
    "TimedOut", "FileTooLarge", "SpecialFile", "UnreadableFile", "UntrustedInputError", "InvalidJSON",
    "BadAnswer", "OutputTooLarge", "CommandFailed", "NoAnswer", "ArtefactError", "BadKeyBag",
})
# Functions that word a reason or a part of one (what they return is a reason).
WORDING_FUNCTIONS = frozenset({"_silence", "file_kind", "given_up", "_reason"})
# Calls that hand on a reason found elsewhere: an exception's own words, a reason kept in a dict.
PASSING_ON = frozenset({"str", "get"})
# What makes a warning or an error with params (their ``reason``, ``problem``, ``what`` or ``kind``).
NOTE_MAKERS = frozenset({"of", "CollectorError", "UserError"})
PROBLEM_FILES = (EXPOSURE / "untrusted.py", *sorted((EXPOSURE / "collect").rglob("*.py")))

HOLE = "{}"  # a part filled in at run time


@dataclass(frozen=True)
class Found:
    template: str  # the fixed words, "{}" for each part filled in at run time
    where: str  # file:line


@dataclass
class Unfollowed:
    where: str
    code: str


def _constants(trees: dict[Path, ast.Module]) -> dict[str, ast.expr]:
    """Module-level ``NAME = <expr>`` of every module (a name defined twice keeps both out)."""
    out: dict[str, ast.expr] = {}
    twice: set[str] = set()
    for tree in trees.values():
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                if name in out:
                    twice.add(name)
                out[name] = node.value
    return {k: v for k, v in out.items() if k not in twice}


@dataclass
class _Scope:
    """The names of the function around a call: its parameters and the names bound by a loop,
    a ``with``, an ``except`` or a comprehension (a reason passed on from elsewhere), and the
    values assigned to its other local names."""

    passed_on: set[str]
    assigned: dict[str, list[ast.expr]]


class _Finder:
    def __init__(self, trees: dict[Path, ast.Module]) -> None:
        self.constants = _constants(trees)
        self.found: list[Found] = []
        self.unfollowed: list[Unfollowed] = []

    def templates(self, node: ast.expr, scope: _Scope, where: str, depth: int = 0) -> list[str]:
        """The texts ``node`` can give, as templates; [] when it is only a passed-on reason."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.JoinedStr):
            return ["".join(str(v.value) if isinstance(v, ast.Constant) else HOLE for v in node.values)]
        if isinstance(node, ast.IfExp):
            either = (node.body, node.orelse)
            return [text for branch in either for text in self.templates(branch, scope, where, depth)]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.templates(node.left, scope, where, depth) or [HOLE]
            right = self.templates(node.right, scope, where, depth) or [HOLE]
            return [a + b for a, b in itertools.product(left, right)]
        if isinstance(node, ast.Tuple | ast.List):
            return [t for item in node.elts for t in self.templates(item, scope, where, depth)]
        if isinstance(node, ast.Name) and depth < 4:
            if node.id in scope.passed_on:
                return []  # a reason passed on: found where it was written
            values = scope.assigned.get(node.id) or ([self.constants[node.id]] if node.id in self.constants else [])
            if values:
                return [t for value in values for t in self.templates(value, scope, where, depth + 1)]
            self.unfollowed.append(Unfollowed(where, ast.unparse(node)))
            return []
        if isinstance(node, ast.Call) and _call_name(node) not in WORDING_FUNCTIONS | PASSING_ON:
            self.unfollowed.append(Unfollowed(where, ast.unparse(node)))
        return [HOLE]  # a part filled in at run time (device text, an exception's words, a wording function)

    def add(self, node: ast.expr, scope: _Scope, where: str) -> None:
        for text in self.templates(node, scope, where):
            if text.strip(" {}"):  # not a hole alone: a whole device text is not ours
                self.found.append(Found(text, where))


def _scope(function: ast.AST) -> _Scope:
    passed_on: set[str] = set()
    assigned: dict[str, list[ast.expr]] = {}
    if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        args = function.args
        passed_on |= {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    for node in ast.walk(function):
        target: ast.AST | None = None
        if isinstance(node, ast.Assign):
            for each in node.targets:
                if isinstance(each, ast.Name):
                    assigned.setdefault(each.id, []).append(node.value)
                else:
                    passed_on |= {n.id for n in ast.walk(each) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension | ast.NamedExpr | ast.AugAssign):
            target = node.target
        elif isinstance(node, ast.withitem):
            target = node.optional_vars
        elif isinstance(node, ast.ExceptHandler) and node.name:
            passed_on.add(node.name)
        if target is not None:
            passed_on |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return _Scope(passed_on, assigned)


def _owners(tree: ast.Module) -> dict[int, _Scope]:
    """id(node) -> the scope of the innermost function around it (the module's for the rest)."""
    owner: dict[int, _Scope] = {}
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)]
    for node in ast.walk(tree):
        owner[id(node)] = _Scope(set(), {})
    for function in functions:  # outer functions first (ast.walk is breadth first): inner ones overwrite
        scope = _scope(function)
        for node in ast.walk(function):
            owner[id(node)] = scope
    return owner


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _parse(paths: list[Path]) -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text("utf-8"), str(path)) for path in paths}


def _where(path: Path, node: ast.AST) -> str:
    shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    return f"{shown}:{getattr(node, 'lineno', 0)}"


def net_reasons(paths: list[Path] | None = None) -> tuple[list[Found], list[Unfollowed]]:
    """The reasons the capture reader and the extractor count (``paths``: exposure/collect/net/)."""
    trees = _parse(sorted(NET.rglob("*.py")) if paths is None else paths)
    finder = _Finder(trees)
    for path, tree in trees.items():
        owner = _owners(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _call_name(node)
                index = NET_SINKS.get(name)
                if index is not None and len(node.args) > index and name not in NET_NOT_SHOWN:
                    finder.add(node.args[index], owner[id(node)], _where(path, node))
            elif isinstance(node, ast.FunctionDef) and node.name in WORDING_FUNCTIONS:
                _returned(finder, path, node, owner)
    return finder.found, finder.unfollowed


def _returned(finder: _Finder, path: Path, function: ast.FunctionDef, owner: dict[int, _Scope]) -> None:
    """What a wording function returns (``given_up`` builds its reasons in a tuple of pairs:
    their string parts)."""
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and node.value is not None:
            if function.name == "given_up":
                body = function.body[1:] if ast.get_docstring(function) else function.body
                for item in (inner for statement in body for inner in ast.walk(statement)):
                    if isinstance(item, ast.Constant) and isinstance(item.value, str):
                        finder.found.append(Found(item.value, _where(path, item)))
                return
            finder.add(node.value, owner[id(node)], _where(path, node))


def problem_reasons(paths: list[Path] | None = None) -> tuple[list[Found], list[Unfollowed]]:
    """The messages of exceptions that become a warning's ``problem``, and the other reasons
    the phone and computer collectors write (see the module's docstring; ``paths``:
    :data:`PROBLEM_FILES`)."""
    trees = _parse(list(PROBLEM_FILES) if paths is None else paths)
    finder = _Finder(trees)
    for path, tree in trees.items():
        owner = _owners(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                    and _call_name(node.exc) in PROBLEM_EXCEPTIONS and node.exc.args:
                finder.add(node.exc.args[0], owner[id(node)], _where(path, node))
            elif isinstance(node, ast.FunctionDef) and node.name in WORDING_FUNCTIONS and path.parent != NET:
                _returned(finder, path, node, owner)
            elif isinstance(node, ast.ClassDef) and node.name in PROBLEM_EXCEPTIONS:
                for call in ast.walk(node):  # a message an exception words itself: super().__init__(f"...")
                    if isinstance(call, ast.Call) and _call_name(call) == "__init__" and call.args:
                        finder.add(call.args[0], owner[id(call)], _where(path, call))
            elif isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute) and t.value.attr == "failed"
                    for t in node.targets):
                finder.add(node.value, owner[id(node)], _where(path, node))
            elif isinstance(node, ast.Call) and _call_name(node) == "_stop" and len(node.args) > 1:
                finder.add(node.args[1], owner[id(node)], _where(path, node))
            elif isinstance(node, ast.Call) and _call_name(node) in NOTE_MAKERS:
                for keyword in node.keywords:  # CheckNote.of(..., problem="our words")
                    if keyword.arg in REASON_PARAMS:
                        finder.add(keyword.value, owner[id(node)], _where(path, node))
    return finder.found, finder.unfollowed


def shape(english: str) -> str:
    """A text's fixed words with ``{}`` for each placeholder, as the finder writes templates."""
    parsed = string.Formatter().parse(english)
    return "".join(literal + (HOLE if name is not None else "") for literal, name, _, _ in parsed)


def missing_chinese(found: list[Found]) -> list[str]:
    """The reasons in ``found`` that have no Chinese: no entry in reasons.yaml (or, for words
    without a part filled in, among checks.yaml's texts) with the same English and a zh text."""
    from exposure.explain.notes import check_texts
    from exposure.explain.reasons import reason_texts

    known: dict[str, str] = {}
    for table in (check_texts(), reason_texts()):
        for texts in table.values():
            values = dict(texts.values)
            english = values.get("en", "")
            if english and (table is reason_texts() or "{" not in english):  # checks.yaml: whole texts only
                known[shape(english)] = values.get("zh", "")
    missing = []
    for item in found:
        if not known.get(item.template):
            missing.append(f"{item.where}: {item.template!r} has no Chinese in exposure/explain/reasons.yaml")
    return sorted(set(missing))


def unknown_sinks(paths: list[Path] | None = None) -> list[str]:
    """Functions of exposure/collect/net/ that take a ``reason`` but are not in
    :data:`NET_SINKS`: a new way to count a reason, which the finder would not see."""
    out = []
    for path, tree in _parse(sorted(NET.rglob("*.py")) if paths is None else paths).items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name not in NET_SINKS \
                    and any(a.arg == "reason" for a in node.args.args):
                out.append(f"{_where(path, node)}: {node.name}")
    return out
