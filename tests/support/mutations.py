"""Mutated copies of real webhook bodies (tests/data/whatsapp), for robustness tests and
the fuzz targets: each mutation swaps a value for one of another type, drops a key, wraps
a value in a list, or duplicates a list item, anywhere in the body."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data" / "whatsapp" / "pywa"
PHONE_NUMBER_ID = "1122334455667"  # the business number of the real bodies

ODD_VALUES: tuple[Any, ...] = (
    "",
    "text",
    "\x00",
    "x" * 5000,
    0,
    -1,
    10**30,
    1.5,
    float("1e308"),
    True,
    None,
    [],
    [1, "a"],
    [None],
    {},
    {"id": 1},
    {"type": "text"},
)


def real_bodies() -> list[dict[str, Any]]:
    """Every real webhook body, one per case (text, image, statuses, …)."""
    bodies = []
    for path in sorted(DATA.glob("*.json")):
        bodies.extend(json.loads(path.read_text()).values())
    return bodies


def _nodes(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _nodes(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _nodes(child, (*path, index))


def _parent(body: Any, path: tuple) -> Any:
    for step in path[:-1]:
        body = body[step]
    return body


def mutate(body: dict[str, Any], rng: random.Random, *, mutations: int = 0) -> Any:
    """A copy of ``body`` with one to three random mutations."""
    result: Any = copy.deepcopy(body)
    for _ in range(mutations or rng.randint(1, 3)):
        nodes = list(_nodes(result))
        path, value = rng.choice(nodes)
        if not path:
            if rng.random() < 0.1:
                result = rng.choice(ODD_VALUES)
            continue
        parent, key = _parent(result, path), path[-1]
        action = rng.random()
        if action < 0.55:
            parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif action < 0.7 and isinstance(parent, dict):
            del parent[key]
        elif action < 0.85:
            parent[key] = [value]
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(value))
        else:
            parent[f"extra{rng.randint(0, 9)}"] = copy.deepcopy(value)
    return result


def mutated_bodies(count: int, *, seed: int) -> Iterator[bytes]:
    """``count`` mutated real bodies as raw JSON bytes (deterministic for a seed)."""
    rng = random.Random(seed)
    bodies = real_bodies()
    for _ in range(count):
        yield json.dumps(mutate(rng.choice(bodies), rng)).encode()
