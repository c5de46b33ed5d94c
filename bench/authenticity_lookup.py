"""The reuse look-up timed among the stored view fingerprints (``bench_lookup``): the
product's route, the previous one and the naive scan, on SQLite and on PostgreSQL when
``BENCH_PG_URL`` is set (see ``bench/bench_authenticity.py``).
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.authenticity_data import (
    VIEWS_PER_MEDIA,
    make_covering_indexes,
    make_postgres_table,
    make_queries,
    make_sqlite_table,
)

ROOT = Path(__file__).resolve().parent.parent


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def _popcount(values: np.ndarray) -> np.ndarray:
    values = values - ((values >> np.uint64(1)) & np.uint64(0x5555555555555555))
    values = (values & np.uint64(0x3333333333333333)) + (
        (values >> np.uint64(2)) & np.uint64(0x3333333333333333)
    )
    values = (values + (values >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (values * np.uint64(0x0101010101010101)) >> np.uint64(56)


def _rows_route(session, *, fingerprint):  # type: ignore[no-untyped-def]
    """The previous look-up, kept as the baseline: every row sharing a chunk is carried
    to Python and counted there, and the statements are compiled per look-up."""
    from collections import Counter

    from sqlalchemy import select, union_all

    from helpdesk.db.models.authenticity import MediaFingerprint
    from helpdesk.media.authenticity import index

    table = MediaFingerprint.__table__
    wanted: list[set[int]] = [set(), set(), set(), set()]
    for view in index.probed(fingerprint):
        for position, value in enumerate(index.chunks(view.key)):
            wanted[position].add(value)
    lookups = union_all(
        *(
            select(table.c.media_id).where(table.c[f"k{position}"].in_(sorted(values)))
            for position, values in enumerate(wanted)
        )
    )
    hits = Counter(session.execute(lookups).scalars())
    chosen = [media_id for media_id, _ in hits.most_common(index.MAX_CANDIDATES)]
    if not chosen:
        return []
    query = select(
        table.c.media_id, table.c.sender_id, table.c.view, table.c.key, table.c.detail
    ).where(table.c.media_id.in_(chosen))
    rows = [(m, w, v, index._unsigned(k), d) for m, w, v, k, d in session.execute(query)]
    found = index._closest(fingerprint, rows, index.KEY_MAX, index.DETAIL_MAX)
    return list(found.values())


def _probe_even_route(session, *, fingerprint):  # type: ignore[no-untyped-def]
    """The look-up probing the chunks of the even views only (the uneven crops are still
    compared with every candidate), see ``index.probed``."""
    from helpdesk.media.authenticity import index

    index.PROBE_UNEVEN = False
    try:
        return index.find(session, fingerprint=fingerprint)
    finally:
        index.PROBE_UNEVEN = True


def _time_lookups(
    url: str,
    queries: list[tuple[object, int | None]],
    route=None,  # type: ignore[no-untyped-def]
) -> dict[str, float]:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from helpdesk.media.authenticity import index

    find = route or index.find

    engine = create_engine(url)
    spent, cpu, found = [], [], 0
    with Session(engine) as session:
        for query, _ in queries[:20]:  # warm the page cache
            find(session, fingerprint=query)  # type: ignore[arg-type]
        for query, expected in queries:
            start, start_cpu = time.perf_counter(), time.process_time()
            matches = find(session, fingerprint=query)  # type: ignore[arg-type]
            spent.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            ids = {m.media_id for m in matches}
            found += expected in ids if expected is not None else not ids
    engine.dispose()
    return {
        "p50_ms": _p(spent, 50),
        "p99_ms": _p(spent, 99),
        "cpu_p50_ms": _p(cpu, 50),
        "cpu_p99_ms": _p(cpu, 99),
        "correct": found / len(queries),
    }


def _naive(url: str, queries: list[tuple[object, int | None]]) -> dict[str, float]:
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from helpdesk.db.models.authenticity import MediaFingerprint
    from helpdesk.media.authenticity import index

    engine = create_engine(url)
    naive_spent, memory_spent = [], []
    with Session(engine) as session:
        stored = np.array([], dtype=np.uint64)
        for query, _ in queries[:5]:
            start = time.perf_counter()
            stored = np.fromiter(
                session.execute(select(MediaFingerprint.key)).scalars(), dtype=np.int64
            ).view(np.uint64)
            for view in query.views:  # type: ignore[attr-defined]
                _popcount(stored ^ np.uint64(view.key))
            naive_spent.append((time.perf_counter() - start) * 1000)
        for query, _ in queries[:10]:
            start = time.perf_counter()
            for view in query.views:  # type: ignore[attr-defined]
                np.nonzero(_popcount(stored ^ np.uint64(view.key)) <= index.KEY_MAX)
            memory_spent.append((time.perf_counter() - start) * 1000)
    engine.dispose()
    return {
        "naive_sql_scan_ms": statistics.median(naive_spent),
        "naive_numpy_in_memory_ms": statistics.median(memory_spent),
    }


def bench_lookup(rows: int) -> dict[str, object]:
    """SQLite always; PostgreSQL too when BENCH_PG_URL names one (scripts/services.sh
    starts one: ``BENCH_PG_URL=postgresql://helpdesk@127.0.0.1:25432/helpdesk``). Each
    engine is timed with the single-column chunk indexes of migration 0006 (the baseline)
    and then with the covering (chunk, media_id) indexes of migration 0009."""

    rng = np.random.default_rng(7)
    results: dict[str, object] = {"stored_rows": rows, "stored_media": rows // VIEWS_PER_MEDIA}
    with tempfile.TemporaryDirectory(prefix="bench-authenticity-", dir=ROOT / "var") as folder:
        path = Path(folder) / "fingerprints.db"
        start = time.perf_counter()
        keys = make_sqlite_table(path, rows, rng)
        results["build_s"] = round(time.perf_counter() - start, 1)
        queries = make_queries(keys, rng)
        url = f"sqlite:///{path}"
        results["sqlite_single_column"] = _time_lookups(url, queries)
        connection = sqlite3.connect(path)
        make_covering_indexes(connection.execute)
        connection.commit()
        connection.close()
        results["sqlite_covering"] = _time_lookups(url, queries)
        # Table and indexes on disk, per stored photo (what more views per photo cost).
        results["sqlite_bytes_per_media"] = round(path.stat().st_size / (rows / VIEWS_PER_MEDIA))
        results["sqlite_covering_rows_route"] = _time_lookups(url, queries, _rows_route)
        results["sqlite_covering_probe_even"] = _time_lookups(url, queries, _probe_even_route)
        results.update(_naive(url, queries))
    pg_url = os.environ.get("BENCH_PG_URL")
    if pg_url:
        import psycopg2

        make_postgres_table(pg_url, keys)
        pg = pg_url.replace("postgresql://", "postgresql+psycopg2://", 1)
        results["postgresql_single_column"] = _time_lookups(pg, queries)
        with psycopg2.connect(pg_url) as connection, connection.cursor() as cursor:
            make_covering_indexes(cursor.execute)
            cursor.execute("ANALYZE media_fingerprints")
        results["postgresql_covering"] = _time_lookups(pg, queries)
        results["postgresql_covering_rows_route"] = _time_lookups(pg, queries, _rows_route)
        with psycopg2.connect(pg_url) as connection, connection.cursor() as cursor:
            cursor.execute("DROP TABLE media_fingerprints")
    return results
