"""The fingerprint index: multi-index hashing over a SQL table (SQLite and PostgreSQL).

Each stored view's 64-bit key is split into four 16-bit chunks, each an indexed column
(``helpdesk.db.models.authenticity``). A look-up asks the four indexes for rows sharing a
chunk exactly with any of the query's views, then compares the candidates' full keys and
256-bit details in Python. Two views within ``KEY_MAX`` bits always share at least one exact
chunk when ``KEY_MAX`` ≤ 3 (pigeonhole); beyond that, a copy is still found because several
of its views (neighbouring crops) are close to the original's, each with a fresh chance of a
clean chunk — the evaluation measures the whole route, index included.

The naive route (every stored key compared) is what ``bench/bench_authenticity.py``
measures against.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.db.models.authenticity import MediaFingerprint
from helpdesk.media.authenticity.fingerprint import Fingerprint, hamming, hamming_bytes

# Calibrated on the dev half of the evaluation set (tests/helpdesk/media/authenticity/
# calibrate.py); the test half is never used to choose them.
KEY_MAX = 10
DETAIL_MAX = 90
# At most this many candidate media are compared in full (a very common key chunk, such
# as a blank-page pattern, must not turn a look-up into a scan).
MAX_CANDIDATES = 500


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


def find(
    session: Session,
    *,
    fingerprint: Fingerprint,
    exclude_media: Iterable[int] = (),
    key_max: int = KEY_MAX,
    detail_max: int = DETAIL_MAX,
) -> list[Match]:
    """Stored media whose fingerprint matches, best first (one match per media)."""
    columns = (MediaFingerprint.k0, MediaFingerprint.k1, MediaFingerprint.k2, MediaFingerprint.k3)
    wanted: list[set[int]] = [set(), set(), set(), set()]
    for view in fingerprint.views:
        for position, value in enumerate(chunks(view.key)):
            wanted[position].add(value)
    excluded = set(exclude_media)
    candidates: set[int] = set()
    for column, values in zip(columns, wanted, strict=True):
        rows = session.execute(
            select(MediaFingerprint.media_id).where(column.in_(sorted(values))).distinct()
        ).scalars()
        candidates.update(m for m in rows if m not in excluded)
        if len(candidates) > MAX_CANDIDATES:
            break
    if not candidates:
        return []
    stored: dict[int, list[MediaFingerprint]] = defaultdict(list)
    for row in session.execute(
        select(MediaFingerprint).where(
            MediaFingerprint.media_id.in_(sorted(candidates)[:MAX_CANDIDATES])
        )
    ).scalars():
        stored[row.media_id].append(row)
    found = []
    for rows in stored.values():
        best = _best(fingerprint, rows, key_max, detail_max)
        if best is not None:
            found.append(best)
    return sorted(found, key=lambda m: (m.detail_distance, m.key_distance, m.media_id))


def _best(
    fingerprint: Fingerprint, rows: list[MediaFingerprint], key_max: int, detail_max: int
) -> Match | None:
    best: Match | None = None
    for row in rows:
        key, detail = _unsigned(row.key), bytes.fromhex(row.detail)
        for view in fingerprint.views:
            distance = hamming(view.key, key)
            if distance > key_max:
                continue
            fine = hamming_bytes(view.detail, detail)
            if fine > detail_max:
                continue
            if best is None or (fine, distance) < (best.detail_distance, best.key_distance):
                best = Match(row.media_id, row.sender_id, row.view, view.view, distance, fine)
    return best


def compare(first: Fingerprint, second: Fingerprint) -> tuple[int, int] | None:
    """The closest view pair of two fingerprints as (key, detail) distances that pass the
    thresholds, or None: the same decision as ``find`` without a database."""
    best: tuple[int, int] | None = None
    for a in first.views:
        for b in second.views:
            distance = hamming(a.key, b.key)
            if distance > KEY_MAX:
                continue
            fine = hamming_bytes(a.detail, b.detail)
            if fine <= DETAIL_MAX and (best is None or (fine, distance) < best[::-1]):
                best = (distance, fine)
    return best
