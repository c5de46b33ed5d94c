"""The async Graph client against the sandbox: retries what a retry fixes, and says why not."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from helpdesk.errors import GraphAPIError, MediaRejected
from helpdesk.sandbox.app import SandboxConfig, create_app
from helpdesk.whatsapp.graph import GraphClient
from tests.support.servers import serve_app

TOKEN, PHONE = "tok", "100000000000001"


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    config = SandboxConfig(
        access_token=TOKEN,
        app_secret="s",
        phone_number_id=PHONE,
        webhook_url="http://127.0.0.1:9/unused",
    )
    with serve_app(create_app(config), path="/sandbox/health") as url:
        httpx.post(f"{url}/sandbox/customers/15551230000/messages", json={"text": "hi"})
        yield url


def client(url: str, **options) -> GraphClient:  # type: ignore[no-untyped-def]
    options = {"backoff": 0.01, "timeout": 2.0, **options}
    return GraphClient(base_url=url, access_token=TOKEN, phone_number_id=PHONE, **options)


def fault(url: str, target: str, kind: str, count: int, delay: float = 30.0) -> None:
    httpx.post(
        f"{url}/sandbox/faults",
        json={"target": target, "kind": kind, "count": count, "delay": delay},
    ).raise_for_status()


TEXT = {"messaging_product": "whatsapp", "to": "15551230000", "type": "text", "text": {"body": "x"}}


@pytest.mark.parametrize("kind", ["500", "rate_limit", "timeout"])
async def test_transient_faults_are_retried(sandbox_url: str, kind: str) -> None:
    fault(sandbox_url, "messages", kind, count=2, delay=3.0)
    graph = client(sandbox_url, timeout=0.5)
    try:
        assert (await graph.send(TEXT)).startswith("wamid.")
    finally:
        await graph.aclose()


async def test_persistent_faults_end_in_a_graph_error_with_meta_code(sandbox_url: str) -> None:
    fault(sandbox_url, "messages", "rate_limit", count=3)
    graph = client(sandbox_url, retries=2)
    try:
        with pytest.raises(GraphAPIError) as caught:
            await graph.send(TEXT)
    finally:
        await graph.aclose()
    assert caught.value.code == 130429 and caught.value.retryable


async def test_refusals_are_not_retried(sandbox_url: str) -> None:
    graph = client(sandbox_url)
    body = {**TEXT, "text": {"body": "y" * 5000}}
    try:
        with pytest.raises(GraphAPIError) as caught:
            await graph.send(body)
    finally:
        await graph.aclose()
    assert (caught.value.code, caught.value.status, caught.value.retryable) == (100, 400, False)


async def test_a_wrong_token_is_190(sandbox_url: str) -> None:
    graph = GraphClient(base_url=sandbox_url, access_token="bad", phone_number_id=PHONE)
    try:
        with pytest.raises(GraphAPIError) as caught:
            await graph.send(TEXT)
    finally:
        await graph.aclose()
    assert caught.value.code == 190


async def test_upload_and_download_round_trip_with_an_expired_url_retried(sandbox_url: str) -> None:
    graph = client(sandbox_url)
    try:
        media_id = await graph.upload_media(b"%PDF-1.4 hello", mime="application/pdf")
        fault(sandbox_url, "media_info", "expired_url", count=1)
        data, info = await graph.download_media(media_id, max_bytes=1000)
        assert data == b"%PDF-1.4 hello" and info.mime_type == "application/pdf"
        with pytest.raises(MediaRejected) as rejected:
            await graph.download_media(media_id, max_bytes=5)
        assert rejected.value.reason == "too_large"
    finally:
        await graph.aclose()


async def test_pacing_keeps_within_the_numbers_throughput() -> None:
    """A burst beyond the number's throughput: the paced client is never refused, an
    unpaced one is refused with 130429 and gets through by retrying."""
    import asyncio

    config = SandboxConfig(
        access_token=TOKEN,
        app_secret="s",
        phone_number_id=PHONE,
        webhook_url="http://127.0.0.1:9/unused",
        messages_per_second=5,
    )
    app = create_app(config)
    with serve_app(app, path="/sandbox/health") as url:
        httpx.post(f"{url}/sandbox/customers/15551230000/messages", json={"text": "hi"})
        throughput = app.state.sandbox.throughput
        for rate, refused in ((5, False), (100_000, True)):
            throughput.refused = 0
            await asyncio.sleep(1.1)  # let the sandbox's bucket refill
            graph = client(url, messages_per_second=rate, backoff=0.2, retries=6)
            try:
                wamids = await asyncio.gather(*(graph.send(TEXT) for _ in range(12)))
            finally:
                await graph.aclose()
            assert len(set(wamids)) == 12
            assert (throughput.refused > 0) is refused
