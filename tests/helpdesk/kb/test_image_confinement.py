"""Defect 13: a fix picture must be a file inside knowledge/; a path that leaves the folder
(``../var/media-key``, an absolute path, a symlink out) is refused at load, so nothing but
the designers' pictures can be uploaded to a customer."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.kb import check
from tests.helpdesk.kb.kbfiles import GOOD_ENTRY, make_kb


def _kb_with_image(tmp_path: Path, image: str) -> Path:
    entry = GOOD_ENTRY.format(id="img").replace(
        "      es: [Ejecuta", f"      image: '{image}'\n      es: [Ejecuta"
    )
    return make_kb(tmp_path, entry)


@pytest.mark.parametrize("escape", ["../var/media-key", "ABSOLUTE", "images/link.png"])
def test_an_image_path_outside_the_knowledge_folder_is_refused(tmp_path: Path, escape: str) -> None:
    secret = tmp_path / "var" / "media-key"
    secret.parent.mkdir()
    secret.write_text("local1:c2VjcmV0LWtleQ==\n")
    folder = _kb_with_image(tmp_path, str(secret) if escape == "ABSOLUTE" else escape)
    (folder / "images").mkdir()
    (folder / "images" / "link.png").symlink_to(secret)
    kb, problems = check(folder)
    assert "img" not in kb.entries
    assert any("outside" in p.message and p.where == "fix.image" for p in problems), problems


def test_a_picture_inside_the_folder_still_loads(tmp_path: Path) -> None:
    folder = _kb_with_image(tmp_path, "images/steps.png")
    (folder / "images").mkdir()
    (folder / "images" / "steps.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    kb, problems = check(folder)
    assert problems == [] and kb.image_path(kb.entry("img")) is not None
