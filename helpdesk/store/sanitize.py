"""Remove location and other identifying metadata before media is stored.

Images are cleaned *losslessly*: the container is rewritten without its metadata blocks
and the pixels are never re-encoded (a JPEG re-save would blur the very serial number the
agent needs to read). Pillow cannot rewrite metadata without re-encoding and no metadata
library (piexif, exiftool) is in the locked environment, so the three container walkers
below are hand-written; each is a few dozen lines over well-documented formats.

- JPEG: APP1 (EXIF incl. GPS and the EXIF thumbnail, XMP), APP13 (IPTC), APP2 MPF (extra
  images that carry their own EXIF), COM, and anything after the end-of-image marker
  (appended files, polyglots, maker trailers) are dropped. The ICC profile (APP2) and the
  Adobe segment (APP14, needed to decode CMYK) are kept. A new minimal EXIF block with only
  the Orientation tag is written back so that the photo still displays upright.
- PNG: eXIf and text chunks (tEXt, zTXt, iTXt, where XMP lives) and bytes after IEND.
- WebP: EXIF and XMP chunks (and the VP8X flags that announce them).
- MP4 / 3GP / QuickTime video: container metadata (``©xyz`` location, ``udta``) dropped
  by ``ffmpeg -map_metadata -1 -c copy`` (stream copy, no re-encoding) when ffmpeg exists.

- GIF, TIFF, BMP, and a JPEG/PNG/WebP the walkers cannot parse: re-encoded from the decoded
  pixels only (a fresh image holds no metadata at all).
- PDF: its pages are imported into a new document (no information dictionary, no XMP).

- Audio (voice notes: Opus in Ogg; MP3, M4A, AAC, AMR, WAV): re-muxed by ffmpeg the same
  way (stream copy, ``-map_metadata -1``): tags (ID3, Vorbis comments, iTunes atoms) can hold
  names, places and notes, and a file ffmpeg cannot demux is not a real recording.

It fails closed: a file that can be neither walked nor re-encoded (HEIC, which nothing here
decodes; a broken file; a video or a recording when ffmpeg fails) raises
``MediaRejected("cannot_clean")`` and is kept out of the store, so a customer's location is
never stored.

Other documents (Word, Excel, PowerPoint, ZIP, anything not a PDF) are refused with
``MediaRejected("document_type")``: they carry authors, edit history, comments and embedded
files that nothing here can remove, macros, and nothing in the product reads them (analysis
reads photos, videos and PDFs). The customer is asked for a PDF or a screenshot instead.
"""

from __future__ import annotations

import io
import logging
import shutil
import struct
import subprocess

from helpdesk.errors import MediaRejected
from helpdesk.scratch import memory_file

log = logging.getLogger(__name__)

_ORIENTATION = 0x0112


class _Malformed(Exception):
    pass


_WALKERS = ("image/jpeg", "image/png", "image/webp")
_RE_ENCODED = {"image/gif": "GIF", "image/tiff": "TIFF", "image/bmp": "BMP"}
_VIDEOS = ("video/mp4", "video/3gpp", "video/quicktime")
# ffmpeg's muxer for each recording type (the same container comes back out).
_AUDIO_MUXERS = {
    "audio/ogg": "ogg", "audio/opus": "ogg", "audio/mpeg": "mp3", "audio/mp4": "ipod",
    "audio/aac": "adts", "audio/amr": "amr", "audio/wav": "wav",
}  # fmt: skip
_BROKEN = (_Malformed, struct.error, IndexError, ValueError, OSError, subprocess.SubprocessError)


def strip_metadata(data: bytes, mime: str) -> bytes:
    """``data`` without location metadata; the same input always gives the same output.

    Raises ``MediaRejected("cannot_clean")`` when the metadata cannot be removed, and
    ``MediaRejected("document_type")`` for a document that is not a PDF.
    """
    try:
        if mime == "image/jpeg":
            return _strip_jpeg(data)
        if mime == "image/png":
            return _strip_png(data)
        if mime == "image/webp":
            return _strip_webp(data)
        if mime in _VIDEOS:
            return _strip_video(data, mime)
        if mime in _AUDIO_MUXERS:
            return _remux(data, _AUDIO_MUXERS[mime], ["-map", "0:a"])
        if mime == "application/pdf":
            return _strip_pdf(data)
    except _BROKEN as error:
        if mime not in _WALKERS:
            raise _refuse(mime, error) from error
        log.warning("%s metadata walker failed (%s); re-encoding the pixels", mime, error)
    if mime in _WALKERS or mime in _RE_ENCODED:
        return _re_encode(data, mime)
    if mime.startswith("image/"):  # HEIC, AVIF…: nothing here can rewrite them
        raise _refuse(mime, "no way to rewrite this format without its metadata")
    if mime.startswith(("audio/", "video/")):
        raise _refuse(mime, "no way to rewrite this recording without its metadata")
    log.warning("media kept out of the store: %s is not a document type the helpdesk reads", mime)
    raise MediaRejected("document_type", f"{mime}: only PDF documents are accepted")


def _refuse(mime: str, error: object) -> MediaRejected:
    log.warning("media kept out of the store: %s metadata cannot be removed (%s)", mime, error)
    return MediaRejected("cannot_clean", f"{mime}: metadata cannot be removed ({error})")


def _re_encode(data: bytes, mime: str) -> bytes:
    """The decoded pixels in a fresh image of the same format: no EXIF, XMP, comments."""
    from PIL import Image, ImageOps

    fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", **_RE_ENCODED}[mime]
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)  # orientation is in the EXIF we drop
            if upright.mode not in ("RGB", "RGBA", "L", "P", "1", "LA"):
                upright = upright.convert("RGB")
            fresh = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            if upright.mode == "P":
                fresh.putpalette(upright.getpalette() or [])
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise _refuse(mime, error) from error
    if fmt == "JPEG" and fresh.mode not in ("RGB", "L"):
        fresh = fresh.convert("RGB")
    out = io.BytesIO()
    options = {"quality": 95} if fmt in ("JPEG", "WEBP") else {}
    fresh.save(out, fmt, **options)
    return out.getvalue()


def _strip_pdf(data: bytes) -> bytes:
    import pypdfium2 as pdfium

    try:
        source = pdfium.PdfDocument(data)
        clean = pdfium.PdfDocument.new()
        clean.import_pages(source)
        out = io.BytesIO()
        clean.save(out)
    except pdfium.PdfiumError as error:
        raise _Malformed(str(error)) from error
    return out.getvalue()


def _jpeg_orientation(data: bytes) -> int:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            value = image.getexif().get(_ORIENTATION, 1)
        return int(value) if isinstance(value, int) and 1 <= value <= 8 else 1
    except Exception:
        return 1


def _orientation_segment(orientation: int) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[_ORIENTATION] = orientation
    payload = exif.tobytes()  # b"Exif\0\0" + TIFF structure
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def _strip_jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise _Malformed("no SOI")
    orientation = _jpeg_orientation(data)
    out = bytearray(b"\xff\xd8")
    if orientation != 1:
        out += _orientation_segment(orientation)
    pos, size = 2, len(data)
    while pos < size:
        if data[pos] != 0xFF:
            raise _Malformed(f"expected a marker at {pos}")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # EOI: drop whatever is appended after it
            out += b"\xff\xd9"
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += data[pos : pos + 2]
            pos += 2
            continue
        if pos + 4 > size:
            break  # truncated file: keep what we have
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segment = data[pos : pos + 2 + length]
        body = segment[4:]
        drop = (
            marker in (0xE1, 0xED, 0xFE)  # EXIF/XMP, IPTC, comment
            or (marker == 0xE2 and body.startswith(b"MPF\x00"))
        )
        if not drop:
            out += segment
        pos += 2 + length
        if marker == 0xDA:  # start of scan: copy entropy-coded data up to the next marker
            end = pos
            while True:
                end = data.find(b"\xff", end)
                if end < 0 or end + 1 >= size:
                    out += data[pos:]
                    return bytes(out)
                following = data[end + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    end += 1 if following == 0xFF else 2
                    continue
                break
            out += data[pos:end]
            pos = end
    return bytes(out)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DROP = {b"eXIf", b"tEXt", b"zTXt", b"iTXt"}


def _strip_png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise _Malformed("no PNG signature")
    out = bytearray(_PNG_SIGNATURE)
    pos = len(_PNG_SIGNATURE)
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos : pos + 12 + length]
        if kind not in _PNG_DROP:
            out += chunk
        pos += 12 + length
        if kind == b"IEND":
            break
    return bytes(out)


def _strip_webp(data: bytes) -> bytes:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise _Malformed("no RIFF/WEBP header")
    chunks = bytearray()
    pos = 12
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = min(len(data), 8 + riff_size)
    while pos + 8 <= end:
        kind = data[pos : pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        padded = length + (length & 1)
        chunk = bytearray(data[pos : pos + 8 + padded])
        if kind == b"VP8X" and len(chunk) >= 9:
            chunk[8] &= ~(0x08 | 0x04) & 0xFF  # EXIF and XMP flags
        if kind not in (b"EXIF", b"XMP "):
            chunks += chunk
        pos += 8 + padded
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)


def _strip_video(data: bytes, mime: str) -> bytes:
    muxer = {"video/3gpp": "3gp", "video/quicktime": "mov"}.get(mime, "mp4")
    return _remux(data, muxer, ["-map", "0"])


def _remux(data: bytes, muxer: str, streams: list[str]) -> bytes:
    """``data`` demuxed and written again by ffmpeg, streams copied, no metadata."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise _Malformed("ffmpeg not found: the file's metadata cannot be removed")
    # Both files in memory, not in the temp folder: a crash must not leave the video behind.
    with (
        memory_file(data, name="helpdesk-strip-in") as source,
        memory_file(name="helpdesk-strip-out") as target,
    ):
        command = [
            ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-i", source.path,
            *streams, "-map_metadata", "-1", "-map_chapters", "-1", "-c", "copy",
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
            "-f", muxer, "-y", target.path,
        ]  # fmt: skip
        result = subprocess.run(
            command,
            capture_output=True,
            timeout=60,
            check=False,
            pass_fds=(source.fd, target.fd),
        )
        output = target.read()
        if result.returncode != 0 or not output:
            raise _Malformed(result.stderr.decode("utf-8", "replace").strip()[:200])
        return output
