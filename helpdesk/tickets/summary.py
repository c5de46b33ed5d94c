"""The summary an agent reads in ten seconds: a few labelled lines, most telling first.

Customer …67 · damaged_product · handed off by triage
Said: The blender arrived with a cracked jar.
Media: photo — accepted, OCR "MODEL BX-200 SN 12345"; label — too dark
Fields: model BX-200, serial 12345
Tried: tighten the jar → did not help
KB: Cracked jar replacement (0.82)
Flags: same photo used in another claim
"""

from __future__ import annotations

from typing import Any

from helpdesk.db.models import MediaRecord

TRIGGER_WORDS = {
    "customer_request": "the customer asked for a person",
    "triage": "handed off by triage",
    "capture_failed": "the media could not be captured",
}


def mask(sender_id: str) -> str:
    """Personal numbers are masked in summaries (the console shows the full id)."""
    return "…" + sender_id[-2:] if len(sender_id) > 4 else "…"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def describe_media(record: MediaRecord) -> str:
    analysis: dict[str, Any] = record.analysis or {}
    parts = [record.purpose or record.kind]
    if analysis:
        problems = [p.get("message") or p.get("code") for p in analysis.get("problems") or []]
        parts.append("accepted" if analysis.get("accepted") else "not usable")
        if problems:
            parts.append("; ".join(str(p) for p in problems[:2]))
        ocr = (analysis.get("ocr") or {}).get("text")
        if ocr:
            parts.append(f'OCR "{_clip(ocr, 60)}"')
    return " — ".join(str(p) for p in parts if p)


def media_fields(media: list[MediaRecord]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for record in media:
        for item in (record.analysis or {}).get("fields") or []:
            found.append({"type": item.get("type"), "value": item.get("value")})
    return found


def build_summary(
    *,
    sender_id: str,
    use_case: str,
    trigger: str,
    said: str,
    media: list[MediaRecord],
    fields: list[dict[str, Any]],
    fixes: list[dict[str, Any]],
    flags: list[str],
    kb_matches: list[dict[str, Any]],
) -> str:
    lines = [
        f"Customer {mask(sender_id)} · {use_case} · {TRIGGER_WORDS.get(trigger, trigger)}",
        f"Said: {_clip(said, 300)}" if said.strip() else "Said: (nothing in words)",
    ]
    if media:
        lines.append("Media: " + "; ".join(describe_media(m) for m in media))
    all_fields = fields + [f for f in media_fields(media) if f not in fields]
    if all_fields:
        lines.append(
            "Fields: "
            + ", ".join(
                f"{f.get('type', '?').replace('_', ' ')} {f.get('value')}" for f in all_fields
            )
        )
    if fixes:
        lines.append(
            "Tried: "
            + "; ".join(f"{f.get('fix')} → {f.get('outcome') or 'no answer'}" for f in fixes)
        )
    if kb_matches:
        lines.append(
            "KB: "
            + "; ".join(
                f"{k.get('title') or k.get('id')}"
                + (f" ({float(k['score']):.2f})" if k.get("score") is not None else "")
                for k in kb_matches[:3]
            )
        )
    if flags:
        lines.append("Flags: " + "; ".join(flags))
    return "\n".join(lines)
