"""Reading the kernel's autogroup file, as different kernels and containers write it."""

from __future__ import annotations

import pytest

from helpdesk.priority import parse_autogroup


@pytest.mark.parametrize(
    ("text", "nice"),
    [
        ("/autogroup-7904 nice 10\n", 10),
        ("/autogroup-12 nice -5\n", -5),
        # A task inside a cgroup of its own (a container, a systemd unit) is in no autogroup:
        # the kernel prints nothing, and there is nothing to lower.
        ("", None),
        ("\n", None),
        ("/autogroup-1 nice\n", None),
        ("garbage here now\n", None),
    ],
)
def test_the_autogroup_nice_is_read_or_none(text: str, nice: int | None) -> None:
    assert parse_autogroup(text) == nice
