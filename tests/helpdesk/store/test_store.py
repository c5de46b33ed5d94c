"""The encrypted media store: what an operator or an attacker with the disk would see."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from helpdesk.errors import ConfigurationError, MediaNotFound, StorageError
from helpdesk.settings import get_settings
from helpdesk.store import get_media_store, open_store
from helpdesk.store.keys import parse_keys
from tests.support.blobs import png_blob

GPS_LATITUDE = (40.0, 26.0, 46.0)


def _key(seed: int) -> str:
    return base64.b64encode(bytes([seed]) * 32).decode()


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_MEDIA_KEY", f"k1:{_key(1)}")
    get_settings.cache_clear()


def _photo_with_gps(orientation: int = 6) -> bytes:
    image = Image.new("RGB", (320, 200), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "W", 4: (79.0, 58.0, 56.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def _stored_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_jpeg_is_stored_encrypted_without_gps_and_keeps_orientation(
    keyed: None, tmp_path: Path
) -> None:
    data = _photo_with_gps()
    store = get_media_store()
    stored = store.put(data, mime="image/jpeg")

    back = store.get(stored.sha256)
    assert hashlib.sha256(back).hexdigest() == stored.sha256
    assert stored.size == len(back)
    with Image.open(io.BytesIO(back)) as image:
        exif = image.getexif()
        assert exif.get(0x0112) == 6  # still shown upright
        assert not exif.get_ifd(0x8825)  # no GPS
        assert 0x010F not in exif
        assert image.size == (320, 200)
        image.load()

    [blob_file] = _stored_files(tmp_path / "media")
    blob = blob_file.read_bytes()
    assert b"\xff\xd8\xff" not in blob and b"JFIF" not in blob and b"Exif" not in blob
    assert back[200:264] not in blob  # no run of plaintext image bytes


def test_same_bytes_are_stored_once_and_gps_variants_share_an_address(keyed: None) -> None:
    store = get_media_store()
    first = store.put(_photo_with_gps(), mime="image/jpeg")
    again = store.put(_photo_with_gps(), mime="image/jpeg")
    assert first == again
    assert store.exists(first.sha256)
    assert store.delete(first.sha256) is True
    assert store.delete(first.sha256) is False
    assert not store.exists(first.sha256)
    with pytest.raises(MediaNotFound):
        store.get(first.sha256)


def test_png_and_webp_metadata_chunks_are_removed(keyed: None) -> None:
    store = get_media_store()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE}
    for fmt, mime in (("PNG", "image/png"), ("WEBP", "image/webp")):
        buffer = io.BytesIO()
        Image.new("RGB", (50, 40), "blue").save(buffer, fmt, exif=exif.tobytes())
        with Image.open(io.BytesIO(buffer.getvalue())) as original:
            assert original.getexif().get_ifd(0x8825)  # the fixture really carries GPS
        back = store.get(store.put(buffer.getvalue(), mime=mime).sha256)
        with Image.open(io.BytesIO(back)) as image:
            image.load()
            assert not image.getexif().get_ifd(0x8825)
            assert image.size == (50, 40)


def test_rotated_keys_still_decrypt_old_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    data = png_blob(b"a receipt")
    monkeypatch.setenv("HELPDESK_MEDIA_KEY", f"old:{_key(1)}")
    get_settings.cache_clear()
    old = get_media_store().put(data, mime="image/png")

    monkeypatch.setenv("HELPDESK_MEDIA_KEY", f"new:{_key(2)},old:{_key(1)}")
    get_settings.cache_clear()
    store = get_media_store()
    assert store.get(old.sha256) == data
    assert store.key_id_of(old.sha256) == "old"
    assert store.reencrypt(old.sha256) is True
    assert store.key_id_of(old.sha256) == "new"

    monkeypatch.setenv("HELPDESK_MEDIA_KEY", f"new:{_key(2)}")
    get_settings.cache_clear()
    assert get_media_store().get(old.sha256) == data

    monkeypatch.setenv("HELPDESK_MEDIA_KEY", f"other:{_key(3)}")
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError, match="key id 'new'"):
        get_media_store().get(old.sha256)


def test_tampered_or_swapped_objects_are_refused(keyed: None, tmp_path: Path) -> None:
    store = get_media_store()
    a = store.put(png_blob(b"first"), mime="image/png")
    b = store.put(png_blob(b"second"), mime="image/png")
    folder = tmp_path / "media"
    path_a = folder / a.sha256[:2] / a.sha256
    path_b = folder / b.sha256[:2] / b.sha256
    path_a.write_bytes(path_b.read_bytes())  # object copied under another address
    with pytest.raises(StorageError, match="authentication"):
        store.get(a.sha256)
    blob = bytearray(path_b.read_bytes())
    blob[-1] ^= 1
    path_b.write_bytes(bytes(blob))
    with pytest.raises(StorageError):
        store.get(b.sha256)
    with pytest.raises(MediaNotFound):
        store.get("../../etc/passwd")


def test_bad_key_settings_are_explained() -> None:
    with pytest.raises(ConfigurationError, match="32"):
        parse_keys("k:" + base64.b64encode(b"short").decode())
    with pytest.raises(ConfigurationError, match="id:base64key"):
        parse_keys("no-colon-here")
    with pytest.raises(ConfigurationError, match="neither"):
        open_store("ftp://x", f"k:{_key(1)}")


def test_development_key_is_generated_once_outside_the_store(tmp_path: Path) -> None:
    from helpdesk.store.keys import load_keys

    path = tmp_path / "var" / "media-key"
    first = load_keys(None, local_path=path)
    second = load_keys("", local_path=path)
    assert first == second
    assert len(first.keys[first.current]) == 32
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_s3_backend_keeps_only_ciphertext_in_the_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    # moto's in-process S3 (its server mode needs flask, which is not installed); boto3
    # still builds and signs real S3 requests, moto answers them as S3 would.
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        import boto3

        client = boto3.client("s3")
        client.create_bucket(Bucket="helpdesk-media")
        monkeypatch.setenv("HELPDESK_MEDIA_STORE", "s3://helpdesk-media/prod/media")
        monkeypatch.setenv("HELPDESK_MEDIA_KEY", f"k1:{_key(1)}")
        get_settings.cache_clear()
        store = get_media_store()

        data = _photo_with_gps()
        stored = store.put(data, mime="image/jpeg")
        assert store.exists(stored.sha256)
        [item] = client.list_objects_v2(Bucket="helpdesk-media")["Contents"]
        assert item["Key"] == f"prod/media/{stored.sha256[:2]}/{stored.sha256}"
        raw = client.get_object(Bucket="helpdesk-media", Key=item["Key"])["Body"].read()
        assert b"\xff\xd8\xff" not in raw
        back = store.get(stored.sha256)
        with Image.open(io.BytesIO(back)) as image:
            assert not image.getexif().get_ifd(0x8825)
        assert store.delete(stored.sha256) is True
        assert not store.exists(stored.sha256)
        with pytest.raises(MediaNotFound):
            store.get(stored.sha256)


def test_video_location_is_removed_without_re_encoding(keyed: None, tmp_path: Path) -> None:
    import shutil
    import subprocess

    import cv2
    import numpy as np

    assert shutil.which("ffmpeg"), "Debian's ffmpeg is part of the environment"
    raw, tagged = tmp_path / "raw.mp4", tmp_path / "tagged.mp4"
    writer = cv2.VideoWriter(str(raw), cv2.VideoWriter_fourcc(*"mp4v"), 10, (160, 120))
    for index in range(10):
        writer.write(np.full((120, 160, 3), index * 20, dtype=np.uint8))
    writer.release()
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(raw), "-c", "copy",
         "-metadata", "location=+40.4461-079.9822/", str(tagged)],
        check=True,
    )  # fmt: skip
    data = tagged.read_bytes()
    assert b"loci" in data  # the 3GPP location atom, as phones write it
    store = get_media_store()
    stored = store.put(data, mime="video/mp4")
    back = store.get(stored.sha256)
    assert b"loci" not in back and b"earth" not in back
    capture_path = tmp_path / "back.mp4"
    capture_path.write_bytes(back)
    capture = cv2.VideoCapture(str(capture_path))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 10  # the clip itself is intact
    capture.release()
    assert store.put(data, mime="video/mp4") == stored  # stripping is deterministic


def test_bytes_hidden_after_the_image_are_not_kept(keyed: None) -> None:
    data = _photo_with_gps() + b"PK\x03\x04 an appended archive"
    store = get_media_store()
    back = store.get(store.put(data, mime="image/jpeg").sha256)
    assert back.endswith(b"\xff\xd9") and b"PK\x03\x04" not in back
    truncated = _photo_with_gps()[:-300]  # cut inside the picture data
    kept = store.get(store.put(truncated, mime="image/jpeg").sha256)
    with Image.open(io.BytesIO(kept)) as image:
        assert not image.getexif().get_ifd(0x8825)
