"""What each purpose accepts, and the limits that keep untrusted files from hurting us.

Every number here is a product decision with its reason next to it; the analysis modules
only read them.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024

# Bytes per kind. Meta's Cloud API limits (image 5 MB, video and audio 16 MB, documents
# 100 MB) apply to what arrives as that message type; a photo sent "as a document" is an
# image by its bytes yet may be larger, so images get the headroom of an uncompressed
# 50-MP camera JPEG rather than Meta's 5 MB.
MAX_BYTES = {"image": 30 * MB, "video": 16 * MB, "audio": 16 * MB, "document": 100 * MB}

# Pixels. A JPEG is decoded at 1/2..1/8 scale (DCT scaling) so even 108-MP phone photos
# are cheap; formats without reduced-scale decoding (PNG, WebP, GIF, BMP, TIFF) must be
# decoded whole (3 bytes per pixel), so they get a lower cap. Beyond these a file is a
# decompression bomb, not a photo.
MAX_PIXELS_JPEG = 120_000_000
MAX_PIXELS_OTHER = 40_000_000
MAX_FRAMES = 1  # animated images: only the first frame is looked at

MAX_VIDEO_SECONDS = 180.0  # WhatsApp's 16 MB holds about three minutes at phone bitrates
MAX_VIDEO_SAMPLES = 12  # key frames sampled per video
MAX_VIDEO_PIXELS = 4096 * 2304

MAX_PDF_PAGES_TEXT = 5  # text layer read from the first pages
MAX_PDF_PAGES_OCR = 2  # pages rendered and OCR'd when there is no text layer
PDF_RENDER_LONG_SIDE = 2200

# The working size for quality checks: long side in pixels. Quality is judged on the
# picture as a person sees it on a phone screen, so every image is measured at this one
# size (which also makes the blur measure independent of the camera's resolution).
WORK_LONG_SIDE = 960
# The size OCR starts from: long side in pixels (text is re-scaled from what it finds).
OCR_LONG_SIDE = 2400

IMAGE_MIMES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp"})
VIDEO_MIMES = frozenset({"video/mp4", "video/3gpp", "video/quicktime", "video/webm"})
AUDIO_MIMES = frozenset({"audio/ogg", "audio/mpeg", "audio/mp4", "audio/amr", "audio/aac"})
PDF = "application/pdf"

PIL_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
    "image/bmp": "BMP",
}


@dataclass(frozen=True)
class Purpose:
    """What a purpose accepts and which checks it needs."""

    name: str
    mimes: frozenset[str]
    ocr: bool  # read text
    text_expected: bool  # no readable text is a problem
    barcodes: bool
    glare_matters: bool  # a reflection hides what we need (labels, screens, receipts)
    min_short_side: int  # below this the details cannot be seen (pixels)


# Minimum short sides: WhatsApp sends photos at about 1600x1200 and screenshots at the
# phone's width (720-1440 px). A damage photo is still useful at 320 px (a thumbnail shows
# a crack); text on a label or receipt needs ~600 px across for 8-pt print to reach the
# ~20 px letter height Tesseract needs after upscaling by at most 2.
# A damage photo: thumbnails and previews are up to ~180 px on their short side; a small
# picture sent on purpose (a crop, a forwarded image, 300 px) shows a dent to the agent.
# Pictures with text get a lower floor when Tesseract reads them clearly: a 957x307 bank
# statement screenshot read word for word is usable however small the limit says it is.
MIN_READABLE_SIDE = 160
PURPOSES: dict[str, Purpose] = {
    "photo": Purpose("photo", IMAGE_MIMES, False, False, False, False, 200),
    "label": Purpose("label", IMAGE_MIMES, True, True, True, True, 600),
    "screenshot": Purpose("screenshot", IMAGE_MIMES, True, True, False, True, 320),
    "receipt": Purpose("receipt", IMAGE_MIMES | {PDF}, True, True, True, True, 600),
    # "A short video or photos of the appliance": a photo sent for the video step is judged
    # as a photo (and read), not refused.
    "video": Purpose("video", VIDEO_MIMES | IMAGE_MIMES, True, False, False, False, 240),
    # Voice notes and other attachments: stored and listed, not judged.
    "voice": Purpose("voice", AUDIO_MIMES, False, False, False, False, 0),
    "any": Purpose(
        "any", IMAGE_MIMES | VIDEO_MIMES | AUDIO_MIMES | {PDF}, True, False, True, False, 240
    ),
}
