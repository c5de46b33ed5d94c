"""Coverage-guided fuzzing with atheris: ``python -m fuzz.run TARGET [--runs N]``.

Starts from the target's seeds (``fuzz.seeds``) in ``var/fuzz/TARGET``, runs N inputs
(default 100,000), stops at the first property broken and writes the input under
``fuzz/findings/TARGET/`` (commit it: ``tests/fuzz`` replays every finding). libFuzzer's
``-rss_limit_mb`` catches memory growth, ``-timeout`` an input that hangs.
"""

from __future__ import annotations

import argparse
import os
import sys

from fuzz.seeds import FINDINGS, ROOT, seeds
from fuzz.targets import BUDGET_SECONDS, MAX_LEN, TARGETS


def instrument_project(atheris) -> int:  # type: ignore[no-untyped-def]
    """Instrument the project's own functions only (``helpdesk/``, ``fuzz/``).

    ``atheris.instrument_all`` also instruments every library loaded (SQLAlchemy, FastAPI,
    PyYAML, Pillow): each input then costs ten times as much and the coverage that guides
    the mutations is mostly the libraries'. Our code's branches are what the fuzzing is for.
    """
    import gc
    import types

    mine = (str(ROOT / "helpdesk") + os.sep, str(ROOT / "fuzz") + os.sep)
    functions = [
        obj
        for obj in gc.get_objects()
        if isinstance(obj, types.FunctionType)
        and obj.__code__.co_filename.startswith(mine)
        and obj.__module__ in sys.modules
    ]
    for function in functions:
        atheris.instrument_func(function)
    print(f"INFO: instrumented {len(functions)} functions of the project", file=sys.stderr)
    return len(functions)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    import atheris

    corpus = ROOT / "var" / "fuzz" / args.target
    corpus.mkdir(parents=True, exist_ok=True)
    for index, data in enumerate(seeds(args.target)):
        (corpus / f"seed-{index:03d}").write_bytes(data)
    artifacts = FINDINGS / args.target
    artifacts.mkdir(parents=True, exist_ok=True)
    target = TARGETS[args.target]
    target(seeds(args.target)[0])  # import everything the target reaches, then instrument
    instrument_project(atheris)
    atheris.Setup(
        [
            sys.argv[0],
            str(corpus),
            f"-runs={args.runs}",
            f"-seed={args.seed}",
            "-rss_limit_mb=2048",
            f"-max_len={MAX_LEN[args.target]}",
            f"-timeout={int(BUDGET_SECONDS) + 5}",
            f"-artifact_prefix={artifacts}/",
            "-print_final_stats=1",
        ],
        target,
    )
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
