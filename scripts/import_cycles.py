"""Fail when modules of helpdesk/ import each other in a circle (`make lint`).

import-linter's ``acyclic_siblings`` contract (pyproject.toml) catches circles between
sibling packages; this also catches a package's ``__init__`` and its own modules, and any
other module-level circle, with every import counted (inside functions too).
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp
import networkx

# This checkout's helpdesk/, not whichever one the virtualenv has installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def cycles(package: str = "helpdesk") -> list[list[str]]:
    graph = grimp.build_graph(package, cache_dir=None)
    edges = networkx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            edges.add_edge(module, imported)
    return [sorted(c) for c in networkx.strongly_connected_components(edges) if len(c) > 1]


def main() -> int:
    found = cycles()
    for modules in found:
        print("import cycle:", " <-> ".join(modules))
    print(f"helpdesk: {len(found)} import cycle(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
