"""Starting inputs for each target (real ones where the repository has them) and a small
seeded mutator for the pytest slice (atheris does its own, coverage-guided, mutation)."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FINDINGS = ROOT / "fuzz" / "findings"


def _webhook() -> list[bytes]:
    from tests.support.mutations import real_bodies

    return [json.dumps(body).encode() for body in real_bodies()]


def _media() -> list[bytes]:
    from PIL import Image

    seeds = []
    picture = Image.new("RGB", (48, 32), (180, 40, 40))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (40.0, 25.0, 1.0)}
    for fmt, options in [("JPEG", {"exif": exif.tobytes()}), ("PNG", {}), ("WEBP", {}),
                         ("GIF", {"comment": b"x"}), ("TIFF", {}), ("BMP", {}),
                         ("PDF", {})]:  # fmt: skip
        out = io.BytesIO()
        picture.save(out, fmt, **options)
        seeds.append(out.getvalue())
    return seeds


def _kb() -> list[bytes]:
    """Each real knowledge entry as a file of its own (whole files run to 20 KB, past the
    fuzzer's input size), and the real category file."""
    seeds = [(ROOT / "knowledge" / "categories.yml").read_bytes()[:4096]]
    for path in sorted((ROOT / "knowledge").glob("*.yml")):
        _, _, entries = path.read_text(encoding="utf-8").partition("entries:\n")
        for entry in entries.split("\n  - id:")[1:]:
            seeds.append(f"entries:\n  - id:{entry}\n".encode()[:4096])
    return seeds


def _console() -> list[bytes]:
    return [
        json.dumps(
            {
                "freshdesk_webhook": {
                    "ticket_id": 501,
                    "status": "Resolved",
                    "comment": "<div>Hi</div>",
                }
            }
        ).encode(),
        json.dumps({"username": "alice", "password": "a-long-password"}).encode(),
        b"username=alice&password=a-long-password&csrf=x",
    ]


SEEDS = {"webhook": _webhook, "media": _media, "kb": _kb, "console": _console}


def seeds(target: str) -> list[bytes]:
    return SEEDS[target]()


def findings(target: str) -> list[Path]:
    """Committed inputs that once broke ``target`` (each is replayed by the tests)."""
    folder = FINDINGS / target
    return sorted(p for p in folder.glob("*") if p.is_file() and p.name != "README.md")


def mutate(data: bytes, rng: random.Random, pool: list[bytes]) -> bytes:
    """One to four byte-level edits: flip, insert, delete, duplicate, splice."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        position = rng.randrange(len(out) + 1)
        if choice < 0.3 and out:
            out[min(position, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif choice < 0.5:
            out[position:position] = bytes([rng.randrange(256)]) * rng.randint(1, 8)
        elif choice < 0.7 and out:
            del out[position : position + rng.randint(1, 16)]
        elif choice < 0.85 and out:
            start = rng.randrange(len(out))
            out[position:position] = out[start : start + rng.randint(1, 64)]
        else:
            other = rng.choice(pool)
            out[position:] = other[rng.randrange(len(other) + 1) :]
    return bytes(out)


def slice_inputs(target: str, count: int, *, seed: int) -> list[bytes]:
    """``count`` deterministic inputs: the seeds, then mutations of them."""
    rng = random.Random(seed)
    pool = seeds(target)
    inputs = list(pool)
    while len(inputs) < count:
        inputs.append(mutate(rng.choice(pool), rng, pool))
    return inputs[:count]
