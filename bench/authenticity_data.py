"""The stored view fingerprints and the queries of the authenticity benchmark
(``bench/bench_authenticity.py``), generated like real ones: each media's views are near
one another; a query is a stored media with a few bits changed, or a fresh picture.
"""

from __future__ import annotations

import io
import os
import sqlite3
from pathlib import Path

import numpy as np

# A camera photo's views: the whole, 45 crops (fingerprint.CROP_VIEWS: 27 square, 18 cut
# more on one side) and 2 turns; 30 before the uneven crops (BENCH_VIEWS=30 measures that).
VIEWS_PER_MEDIA = int(os.environ.get("BENCH_VIEWS", "48"))
QUERIES = 300


def make_sqlite_table(path: Path, rows: int, rng: np.random.Generator) -> np.ndarray:
    """Stored views: media m has VIEWS_PER_MEDIA keys within ~8 bits of a base key."""
    media = rows // VIEWS_PER_MEDIA + 1
    base = rng.integers(0, 2**63, size=media, dtype=np.int64).astype(np.uint64) * np.uint64(2)
    base ^= rng.integers(0, 2, size=media, dtype=np.int64).astype(np.uint64)
    keys = np.repeat(base, VIEWS_PER_MEDIA)[:rows]
    for _ in range(8):
        keys ^= np.uint64(1) << rng.integers(0, 64, size=rows).astype(np.uint64)
    media_ids = (np.arange(rows) // VIEWS_PER_MEDIA + 1).astype(np.int64)
    connection = sqlite3.connect(path)
    connection.executescript(
        """
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE TABLE media_fingerprints (
            id INTEGER PRIMARY KEY, media_id INTEGER NOT NULL, sender_id VARCHAR(128) NOT NULL,
            view VARCHAR(16) NOT NULL, key BIGINT NOT NULL, detail VARCHAR(64) NOT NULL,
            k0 INTEGER NOT NULL, k1 INTEGER NOT NULL, k2 INTEGER NOT NULL, k3 INTEGER NOT NULL,
            created_at DATETIME NOT NULL);
        """
    )
    detail = "00" * 32
    signed = keys.view(np.int64)

    def rows_iter():  # type: ignore[no-untyped-def]
        for index in range(rows):
            key = int(keys[index])
            yield (
                int(media_ids[index]), f"c{media_ids[index] % 50000}", "v", int(signed[index]),
                detail, (key >> 48) & 0xFFFF, (key >> 32) & 0xFFFF, (key >> 16) & 0xFFFF,
                key & 0xFFFF, "2026-12-01 00:00:00",
            )  # fmt: skip

    connection.executemany(
        "INSERT INTO media_fingerprints (media_id, sender_id, view, key, detail, k0, k1, k2,"
        " k3, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows_iter(),
    )
    for name in ("media_id", "k0", "k1", "k2", "k3"):
        connection.execute(
            f"CREATE INDEX ix_media_fingerprints_{name} ON media_fingerprints ({name})"
        )
    connection.commit()
    connection.close()
    return keys


def make_covering_indexes(execute) -> None:  # type: ignore[no-untyped-def]
    """The chunk indexes as migration 0009 makes them: (chunk, media_id)."""
    for name in ("k0", "k1", "k2", "k3"):
        execute(f"DROP INDEX ix_media_fingerprints_{name}")
        execute(
            f"CREATE INDEX ix_media_fingerprints_{name} ON media_fingerprints ({name}, media_id)"
        )


def make_postgres_table(url: str, keys: np.ndarray) -> None:
    """The same rows in PostgreSQL (COPY), single-column chunk indexes first."""
    import psycopg2

    media_ids = (np.arange(len(keys)) // VIEWS_PER_MEDIA + 1).astype(np.int64)
    signed = keys.view(np.int64)
    lines = io.StringIO()
    detail = "00" * 32
    for index in range(len(keys)):
        key = int(keys[index])
        lines.write(
            f"{media_ids[index]}\tc{media_ids[index] % 50000}\tv\t{signed[index]}\t{detail}\t"
            f"{(key >> 48) & 0xFFFF}\t{(key >> 32) & 0xFFFF}\t{(key >> 16) & 0xFFFF}\t"
            f"{key & 0xFFFF}\t2026-12-01 00:00:00\n"
        )
    lines.seek(0)
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS media_fingerprints")
        cursor.execute(
            "CREATE TABLE media_fingerprints (id SERIAL PRIMARY KEY, media_id INTEGER NOT NULL,"
            " sender_id VARCHAR(128) NOT NULL, view VARCHAR(16) NOT NULL, key BIGINT NOT NULL,"
            " detail VARCHAR(64) NOT NULL, k0 INTEGER NOT NULL, k1 INTEGER NOT NULL,"
            " k2 INTEGER NOT NULL, k3 INTEGER NOT NULL, created_at TIMESTAMP NOT NULL)"
        )
        cursor.copy_from(
            lines,
            "media_fingerprints",
            columns=("media_id", "sender_id", "view", "key", "detail", "k0", "k1", "k2", "k3",
                     "created_at"),
        )  # fmt: skip
        for name in ("media_id", "k0", "k1", "k2", "k3"):
            cursor.execute(
                f"CREATE INDEX ix_media_fingerprints_{name} ON media_fingerprints ({name})"
            )
    connection = psycopg2.connect(url)
    connection.autocommit = True
    connection.cursor().execute("VACUUM ANALYZE media_fingerprints")
    connection.close()


def view_names() -> list[str]:
    """A photo's view names as the fingerprint makes them (the look-up treats some kinds
    of view differently), the uneven crops left out when measuring the 30-view scheme."""
    from helpdesk.media.authenticity.fingerprint import CROP_VIEWS, SQUARE_VIEWS, TURNS

    views = CROP_VIEWS if len(CROP_VIEWS) + len(TURNS) <= VIEWS_PER_MEDIA else SQUARE_VIEWS
    names = [*views, *(f"turn{angle:+g}" for angle in TURNS)]
    return (names + [f"v{i}" for i in range(VIEWS_PER_MEDIA)])[:VIEWS_PER_MEDIA]


def make_queries(keys: np.ndarray, rng: np.random.Generator) -> list[tuple[object, int | None]]:
    from helpdesk.media.authenticity.fingerprint import Fingerprint, ViewHash

    detail = bytes(32)
    names = view_names()
    queries: list[tuple[object, int | None]] = []
    for number in range(QUERIES):
        if number % 2 == 0:  # a stored media, re-encoded: its views, 2 bits changed
            media_id = int(rng.integers(1, len(keys) // VIEWS_PER_MEDIA))
            stored = keys[(media_id - 1) * VIEWS_PER_MEDIA : media_id * VIEWS_PER_MEDIA]
            views = []
            for position, key in enumerate(stored):
                key = int(key)
                for bit in rng.integers(0, 64, size=2):
                    key ^= 1 << int(bit)
                views.append(ViewHash(names[position], (0, 0, 1, 1), key, detail))
            queries.append((Fingerprint(tuple(views)), media_id))
        else:  # a new picture: random views near one random key
            base = int(rng.integers(0, 2**63)) * 2
            views = [
                ViewHash(names[i], (0, 0, 1, 1), base ^ (1 << int(b)), detail)
                for i, b in enumerate(rng.integers(0, 64, size=VIEWS_PER_MEDIA))
            ]
            queries.append((Fingerprint(tuple(views)), None))
    return queries
