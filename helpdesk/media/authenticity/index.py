"""The fingerprint index: multi-index hashing over a SQL table (SQLite and PostgreSQL).

Each stored view's 64-bit key is split into four 16-bit chunks, each an indexed column
(``helpdesk.db.models.authenticity``). A look-up asks the four indexes for rows sharing a
chunk exactly with any of the query's views, then compares those rows' full keys with the
query's views (numpy) and the 256-bit details of the close pairs. Two views within 3 bits
always share an exact chunk (pigeonhole); further apart, a copy is still found because
several of its views (neighbouring crops) are close to the original's, each with a fresh
chance of a clean chunk. The evaluation measures the whole route, index included.

The database counts the chunk hits per media and returns only the best few
(``MAX_CANDIDATES``): at a million stored views a look-up meets ~1,000 chunk rows, and
carrying each to Python as a row was ~90 % of SQLite's look-up time. This was chosen over
an in-process cache of every key (numpy or a BK-tree, refreshed from a watermark): the
counting query needs no memory per process (a cache is ~50 MB per process per million
views and must learn about erasures and retention purges), behaves the same on SQLite and
PostgreSQL, and measured 3-5 ms of CPU per look-up at 1,000,000 views.

The naive route (every stored key read and compared) and the previous route (chunk rows
counted in Python) are what ``bench/bench_authenticity.py`` measures against.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import bindparam, func, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from helpdesk.db.models.authenticity import MediaFingerprint
from helpdesk.media.authenticity.fingerprint import Fingerprint, ViewHash, hamming, hamming_bytes

# Calibrated on the dev half of the evaluation set (tests/helpdesk/media/authenticity/
# calibrate.py); the test half is never used to choose them.
KEY_MAX = 10
DETAIL_MAX = 90
# The media sharing the most chunks with the query, compared view by view; a very common
# chunk (a blank-page pattern) must not turn a look-up into a scan. A copy shares chunks in
# many of its ~50 views and ranks first; chance neighbours share one or two. Each
# candidate costs ~50 rows read, so fewer is faster at a million stored views.
MAX_CANDIDATES = 8
TURNED = "turn"
UNEVEN = "a"  # crops cut more on one side (fingerprint.CROP_VIEWS)
PROBE_UNEVEN = True


@dataclass(frozen=True)
class Match:
    media_id: int
    sender_id: str
    view: str  # the stored view that matched
    query_view: str
    key_distance: int
    detail_distance: int


def chunks(key: int) -> tuple[int, int, int, int]:
    return ((key >> 48) & 0xFFFF, (key >> 32) & 0xFFFF, (key >> 16) & 0xFFFF, key & 0xFFFF)


def _signed(key: int) -> int:
    return key - (1 << 64) if key >= 1 << 63 else key


def _unsigned(key: int) -> int:
    return key + (1 << 64) if key < 0 else key


def add(session: Session, *, media_id: int, sender_id: str, fingerprint: Fingerprint) -> None:
    """Store every view of ``media_id``'s fingerprint (replacing an earlier one)."""
    session.query(MediaFingerprint).filter(MediaFingerprint.media_id == media_id).delete()
    for view in fingerprint.views:
        k0, k1, k2, k3 = chunks(view.key)
        session.add(
            MediaFingerprint(
                media_id=media_id,
                sender_id=sender_id,
                view=view.view,
                key=_signed(view.key),
                detail=view.detail.hex(),
                k0=k0,
                k1=k1,
                k2=k2,
                k3=k3,
            )
        )
    session.flush()


@functools.cache
def _statements() -> tuple[Select, Select]:
    """The two look-up statements, built once: their parameters expand at execution, so
    SQLAlchemy compiles each once per process instead of once per look-up."""
    table = MediaFingerprint.__table__
    # One statement, four index look-ups (one round trip instead of four), counted and
    # ranked by the database: a look-up meets ~1,000 chunk rows at a million stored views,
    # and carrying each of them to Python as a row is what made SQLite take ~100 ms.
    lookups = union_all(
        *(
            select(table.c.media_id).where(
                table.c[f"k{position}"].in_(bindparam(f"k{position}", expanding=True))
            )
            for position in range(4)
        )
    ).subquery()
    shared = func.count().label("shared")
    ranked = (
        select(lookups.c.media_id)
        .where(lookups.c.media_id.not_in(bindparam("excluded", expanding=True)))
        .group_by(lookups.c.media_id)
        .order_by(shared.desc(), lookups.c.media_id)
        .limit(MAX_CANDIDATES)
    )
    # A copy shares chunks in many of its views; every view of the media with the most
    # shared chunks is compared (not only the rows that shared one: a crop's closest view
    # pair often has no clean chunk while a neighbouring pair does).
    rows = select(
        table.c.media_id, table.c.sender_id, table.c.view, table.c.key, table.c.detail
    ).where(table.c.media_id.in_(bindparam("chosen", expanding=True)))
    return ranked, rows


def find(
    session: Session,
    *,
    fingerprint: Fingerprint,
    exclude_media: Iterable[int] = (),
    key_max: int = KEY_MAX,
    detail_max: int = DETAIL_MAX,
) -> list[Match]:
    """Stored media whose fingerprint matches, best first (one match per media)."""
    wanted: list[set[int]] = [set(), set(), set(), set()]
    for view in probed(fingerprint):
        for position, value in enumerate(chunks(view.key)):
            wanted[position].add(value)
    excluded = sorted(set(exclude_media)) or [-1]
    values = {f"k{position}": sorted(chunk) for position, chunk in enumerate(wanted)}
    ranked, rows_of = _statements()
    chosen = list(session.execute(ranked, {**values, "excluded": excluded}).scalars())
    if not chosen:
        return []
    rows = [
        (m, who, view, _unsigned(key), detail)
        for m, who, view, key, detail in session.execute(rows_of, {"chosen": chosen})
    ]
    found = _closest(fingerprint, rows, key_max, detail_max)
    return sorted(found.values(), key=lambda m: (m.detail_distance, m.key_distance, m.media_id))


def stored(session: Session, *, media_id: int) -> Fingerprint:
    """The fingerprint stored for ``media_id`` (no views when it has none)."""
    table = MediaFingerprint.__table__
    rows = session.execute(
        select(table.c.view, table.c.key, table.c.detail)
        .where(table.c.media_id == media_id)
        .order_by(table.c.id)
    )
    return Fingerprint(
        tuple(
            ViewHash(view, (0.0, 0.0, 1.0, 1.0), _unsigned(key), bytes.fromhex(detail))
            for view, key, detail in rows
        )
    )


def probed(fingerprint: Fingerprint) -> list[ViewHash]:
    """The query's views whose chunks are looked up: all of them. ``PROBE_UNEVEN`` off
    leaves the uneven crops (``a…``) out, still compared with every candidate: measured
    in ``bench/bench_authenticity.py`` at a million stored views it saved ~10 % of the
    look-up's CPU and lost one stored photo in 300 (its even views shared too few chunks),
    so every view is probed."""
    if PROBE_UNEVEN:
        return list(fingerprint.views)
    return [view for view in fingerprint.views if not view.view.startswith(UNEVEN)]


def _closest(
    fingerprint: Fingerprint,
    rows: list[tuple[int, str, str, int, str]],
    key_max: int,
    detail_max: int,
) -> dict[int, Match]:
    """Compare every candidate row with every query view at once (numpy), then the 256-bit
    details of the close pairs only."""
    stored = np.array([r[3] for r in rows], dtype=np.uint64)
    query = np.array([v.key for v in fingerprint.views], dtype=np.uint64)
    distances = popcount(stored[:, None] ^ query[None, :])
    best: dict[int, Match] = {}
    for row_index, view_index in zip(*np.nonzero(distances <= key_max), strict=True):
        media_id, sender_id, view, _, detail = rows[row_index]
        query_view = fingerprint.views[view_index]
        if not comparable(view, query_view.view):
            continue
        fine = hamming_bytes(query_view.detail, bytes.fromhex(detail))
        if fine > detail_max:
            continue
        match = Match(
            media_id, sender_id, view, query_view.view, int(distances[row_index, view_index]), fine
        )
        current = best.get(media_id)
        if current is None or (fine, match.key_distance) < (
            current.detail_distance,
            current.key_distance,
        ):
            best[media_id] = match
    return best


def comparable(first: str, second: str) -> bool:
    """Two turned views are never compared: their black corners alone look alike. A turned
    view meets the other picture's plain views, which is the case it is there for."""
    return not (first.startswith(TURNED) and second.startswith(TURNED))


def popcount(values: np.ndarray) -> np.ndarray:
    """Set bits of each uint64 (numpy 1.23 has no bitwise_count)."""
    m1, m2, m4 = (
        np.uint64(v) for v in (0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F)
    )
    values = values - ((values >> np.uint64(1)) & m1)
    values = (values & m2) + ((values >> np.uint64(2)) & m2)
    values = (values + (values >> np.uint64(4))) & m4
    return (values * np.uint64(0x0101010101010101)) >> np.uint64(56)


def compare(first: Fingerprint, second: Fingerprint) -> tuple[int, int] | None:
    """The closest view pair of two fingerprints as (key, detail) distances that pass the
    thresholds, or None: the same decision as ``find`` without a database."""
    best: tuple[int, int] | None = None
    for a in first.views:
        for b in second.views:
            if not comparable(a.view, b.view):
                continue
            distance = hamming(a.key, b.key)
            if distance > KEY_MAX:
                continue
            fine = hamming_bytes(a.detail, b.detail)
            if fine <= DETAIL_MAX and (best is None or (fine, distance) < best[::-1]):
                best = (distance, fine)
    return best
