"""Safe intake of untrusted bytes: what a file really is, judged from its bytes only.

``sniff(data)`` never looks at a declared MIME type or a file name; WhatsApp passes on
whatever the customer's phone claims, and a ``.jpg`` may be a PDF, an HTML page or a zip.

Kinds and MIME types returned (``None`` when the bytes match nothing below):

=========  =====================================================================
kind       mime
=========  =====================================================================
image      image/jpeg, image/png, image/gif, image/webp (stickers too),
           image/bmp, image/tiff, image/heic, image/avif
video      video/mp4, video/3gpp, video/quicktime, video/webm
audio      audio/ogg (voice notes: Opus in Ogg), audio/mpeg, audio/mp4, audio/amr,
           audio/aac, audio/wav
document   application/pdf, application/zip, application/msword (any OLE2 file),
           application/vnd.openxmlformats-officedocument.{wordprocessingml.document,
           spreadsheetml.sheet, presentationml.presentation}
=========  =====================================================================

A WhatsApp sticker is an ``image`` of ``image/webp``; the channel knows from the message
type that it was a sticker. Whether a kind is *acceptable* for a purpose is decided by
``helpdesk.media.limits``, not here.

Hand-written on purpose: the maintained sniffers (python-magic, filetype, puremagic) are
not in the locked environment, libmagic's answers vary with the system database, and this
product needs only a few dozen signatures that WhatsApp can actually deliver.
"""

from __future__ import annotations

from dataclasses import dataclass

IMAGE, VIDEO, AUDIO, DOCUMENT = "image", "video", "audio", "document"

# ISO base media (MP4 family) major/compatible brands → (kind, mime).
_FTYP_BRANDS: dict[bytes, tuple[str, str]] = {
    b"heic": (IMAGE, "image/heic"),
    b"heix": (IMAGE, "image/heic"),
    b"hevc": (IMAGE, "image/heic"),
    b"heim": (IMAGE, "image/heic"),
    b"heis": (IMAGE, "image/heic"),
    b"mif1": (IMAGE, "image/heic"),
    b"msf1": (IMAGE, "image/heic"),
    b"avif": (IMAGE, "image/avif"),
    b"avis": (IMAGE, "image/avif"),
    b"M4A ": (AUDIO, "audio/mp4"),
    b"M4B ": (AUDIO, "audio/mp4"),
    b"M4P ": (AUDIO, "audio/mp4"),
    b"F4A ": (AUDIO, "audio/mp4"),
    b"qt  ": (VIDEO, "video/quicktime"),
    b"3gp4": (VIDEO, "video/3gpp"),
    b"3gp5": (VIDEO, "video/3gpp"),
    b"3gp6": (VIDEO, "video/3gpp"),
    b"3gp7": (VIDEO, "video/3gpp"),
    b"3gs7": (VIDEO, "video/3gpp"),
    b"3ge6": (VIDEO, "video/3gpp"),
    b"3gg6": (VIDEO, "video/3gpp"),
    b"3g2a": (VIDEO, "video/3gpp"),
    b"3g2b": (VIDEO, "video/3gpp"),
    b"3g2c": (VIDEO, "video/3gpp"),
}
_FTYP_VIDEO_DEFAULT = (VIDEO, "video/mp4")  # isom, iso2, mp41, mp42, avc1, M4V, dash, ...

_OOXML = {
    b"word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    b"xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    b"ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


@dataclass(frozen=True)
class Sniffed:
    """What the bytes are: ``kind`` (image, video, audio, document) and ``mime``."""

    kind: str
    mime: str


def sniff(data: bytes) -> Sniffed | None:
    """The kind and MIME type of ``data`` from its magic bytes; ``None`` when unknown."""
    if not data:
        return None
    head = bytes(data[:64])
    found = _sniff_head(head, data)
    return Sniffed(*found) if found else None


def _sniff_head(head: bytes, data: bytes) -> tuple[str, str] | None:
    if head.startswith(b"\xff\xd8\xff"):
        return IMAGE, "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return IMAGE, "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return IMAGE, "image/gif"
    if head[:4] == b"RIFF" and len(head) >= 12:
        form = head[8:12]
        if form == b"WEBP":
            return IMAGE, "image/webp"
        if form == b"WAVE":
            return AUDIO, "audio/wav"
        return None
    if head[4:8] == b"ftyp" and len(head) >= 12:
        return _sniff_ftyp(data)
    if head.startswith(b"%PDF-") or b"%PDF-" in bytes(data[:1024]):
        # The PDF spec lets a header start anywhere in the first 1024 bytes.
        return DOCUMENT, "application/pdf"
    if head.startswith(b"OggS"):
        page = bytes(data[:512])
        if b"theora" in page:
            return VIDEO, "video/ogg"
        return AUDIO, "audio/ogg"
    if head.startswith(b"#!AMR"):
        return AUDIO, "audio/amr"
    if head.startswith(b"ID3"):
        return AUDIO, "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF:
        second = head[1]
        if second in (0xF1, 0xF9):
            return AUDIO, "audio/aac"
        if second & 0xE0 == 0xE0 and (second >> 1) & 0x03 != 0:
            return AUDIO, "audio/mpeg"  # MPEG audio frame sync with a valid layer
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return VIDEO, "video/webm"
    if head.startswith(b"BM") and len(head) >= 14 and head[6:10] == b"\x00\x00\x00\x00":
        return IMAGE, "image/bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return IMAGE, "image/tiff"
    if head.startswith(b"PK\x03\x04"):
        window = bytes(data[:4096])
        for marker, mime in _OOXML.items():
            if marker in window:
                return DOCUMENT, mime
        return DOCUMENT, "application/zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return DOCUMENT, "application/msword"
    return None


def _sniff_ftyp(data: bytes) -> tuple[str, str]:
    size = int.from_bytes(data[0:4], "big")
    box = bytes(data[8 : max(16, min(size, 256))])
    brands = [box[0:4]] + [box[i : i + 4] for i in range(8, len(box) - 3, 4)]
    for brand in brands:  # the major brand first, then the compatible ones
        if brand in _FTYP_BRANDS:
            return _FTYP_BRANDS[brand]
    return _FTYP_VIDEO_DEFAULT
