"""Seeded ways to damage input: bytes, text, JSON and YAML.

Every function takes a ``random.Random``, so a run is repeated exactly from its seed.
The mutations are those an adversary uses: flipped and cut bytes, repeated blocks, values
of the wrong type, deep nesting, numbers of thousands of digits, control characters and
bidi overrides in names, YAML anchors and aliases.
"""

from __future__ import annotations

import json
import random
from typing import Any

HOSTILE_TEXT = [
    "\x1b]0;pwned\x07", "\x1b[2J\x1b[H", "\u202eexe.txt", "[red]markup[/red]", "<script>alert(1)</script>",
    "$(reboot)", "../../etc/passwd", "\x00", "é中文😀", "A" * 5000, "\r\n", "%s%n", "{placeholder}",
]


def mutate_bytes(rng: random.Random, data: bytes, rounds: int = 6) -> bytes:
    """Flip, cut, insert and repeat bytes."""
    b = bytearray(data)
    for _ in range(rng.randint(1, rounds)):
        op = rng.random()
        if op < 0.45 and b:
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif op < 0.6 and b:
            del b[rng.randrange(len(b) + 1):]
        elif op < 0.75:
            at = rng.randrange(len(b) + 1)
            b[at:at] = rng.randbytes(rng.randint(1, 64))
        elif op < 0.9 and len(b) > 2:
            start = rng.randrange(len(b) - 1)
            block = b[start:start + rng.randint(1, 256)]
            at = rng.randrange(len(b) + 1)
            b[at:at] = block * rng.randint(2, 50)
        elif b:
            start = rng.randrange(len(b))
            del b[start:start + rng.randint(1, 512)]
    return bytes(b)


def mutate_text(rng: random.Random, text: str, rounds: int = 6) -> str:
    """Damage text by lines: swap, repeat, cut, and put hostile strings in."""
    lines = text.splitlines(keepends=True) or [""]
    for _ in range(rng.randint(1, rounds)):
        op = rng.random()
        at = rng.randrange(len(lines))
        if op < 0.3:
            line = lines[at]
            cut = rng.randrange(len(line) + 1)
            lines[at] = line[:cut] + rng.choice(HOSTILE_TEXT) + line[cut:]
        elif op < 0.5:
            lines[at:at] = [lines[at]] * rng.randint(2, 200)
        elif op < 0.65:
            del lines[at]
            lines = lines or [""]
        elif op < 0.8:
            other = rng.randrange(len(lines))
            lines[at], lines[other] = lines[other], lines[at]
        else:
            lines[at] = lines[at][: rng.randrange(len(lines[at]) + 1)]
    return "".join(lines)


def odd_value(rng: random.Random, depth: int = 0) -> Any:
    """A value of a type nobody expects there."""
    choice = rng.randrange(12)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([True, False])
    if choice == 2:
        return rng.randint(-2**70, 2**70)
    if choice == 3:
        return rng.random() * 10 ** rng.randint(-300, 300)
    if choice == 4:
        return rng.choice(HOSTILE_TEXT)
    if choice == 5:
        return ""
    if choice == 6 and depth < 3:
        return [odd_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if choice == 7 and depth < 3:
        return {rng.choice([*HOSTILE_TEXT[:6], "name", "files", "uid", "type", "id"]): odd_value(rng, depth + 1)
                for _ in range(rng.randint(0, 4))}
    if choice == 8:
        return 1
    if choice == 9:
        return []
    if choice == 10:
        return {}
    return "x" * rng.randint(1, 100)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document (as key paths), the document itself first."""
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data[:200]):
            out += _paths(value, (*prefix, index))
    return out


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: _replace(data[head], rest, value)}
    copy = list(data)
    copy[head] = _replace(copy[head], rest, value)
    return copy


def mutate_json(rng: random.Random, data: Any, rounds: int = 4) -> Any:
    """Swap values for odd ones, duplicate list items, drop keys."""
    for _ in range(rng.randint(1, rounds)):
        paths = _paths(data)
        path = rng.choice(paths[1:] or paths)
        op = rng.random()
        if op < 0.6:
            data = _replace(data, path, odd_value(rng))
        elif op < 0.8 and path:
            parent = _get(data, path[:-1])
            if isinstance(parent, dict):
                data = _replace(data, path[:-1], {k: v for k, v in parent.items() if k != path[-1]})
            elif isinstance(parent, list):
                data = _replace(data, path[:-1], parent + [parent[path[-1]]] * rng.randint(1, 20))
        else:
            data = _replace(data, path, _nest(rng.randint(2, 40), odd_value(rng)))
    return data


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _nest(depth: int, leaf: Any) -> Any:
    for _ in range(depth):
        leaf = [leaf]
    return leaf


def dump_json(rng: random.Random, data: Any) -> str:
    """JSON text, sometimes with a huge number or deep nesting spliced in as text."""
    text = json.dumps(data, ensure_ascii=rng.random() < 0.5)
    op = rng.random()
    if op < 0.1:
        text = text.replace("1", "9" * rng.choice([50, 500, 5000, 50_000]), 1)
    elif op < 0.15:
        depth = rng.choice([70, 1000, 100_000])
        at = text.find("[")
        if at >= 0:  # a deep list as the first item of the first list (or a syntax error)
            text = text[:at + 1] + "[" * depth + "]" * depth + "," + text[at + 1:]
    return text


def yaml_aliases(rng: random.Random, text: str) -> str:
    """Anchor one line's value and repeat it by alias (the flood shape)."""
    lines = text.splitlines()
    if not lines:
        return text
    return "x: &a [" + ", ".join(["lol"] * 10) + "]\n" + "\n".join(lines) + "\n" + "y: *a\n" * rng.randint(1, 5)
