"""POST /v1/digests, GET /healthz, GET /metrics."""

from __future__ import annotations

import gzip

import pytest

import notifier.server
from tests.server.conftest import AUTH, MAX_BODY, REPORT, TOKEN, Client, Fakes, MakeClient

MD = "# AI 日报\n\n1. [OpenAI ships a model](https://example.com/a)\n".encode()


def test_public_names() -> None:
    """The server package exports its documented API only."""
    assert sorted(notifier.server.__all__) == [
        "AccessLogger",
        "Health",
        "Ingest",
        "Server",
        "make_app",
        "serve",
    ]
    for name in notifier.server.__all__:
        assert hasattr(notifier.server, name)


async def test_digest_is_ingested(client: Client, fakes: Fakes) -> None:
    """A good post hands the body to the pipeline and answers 202 with its report."""
    resp = await client.post(
        "/v1/digests?name=daily.md",
        data=MD,
        headers={**AUTH, "Content-Type": "text/markdown; charset=utf-8", "X-Source": "n8n"},
    )
    assert resp.status == 202
    assert await resp.json() == REPORT
    [digest] = fakes.digests
    assert digest.data == MD
    assert digest.source == "n8n"
    assert digest.filename == "daily.md"
    assert digest.content_type == "text/markdown; charset=utf-8"
    assert digest.origin == "POST /v1/digests (daily.md)"


async def test_defaults_and_name_header(client: Client, fakes: Fakes) -> None:
    """Source defaults to ``http``; the name may come in a header, stripped of directories;
    curl's default form content type is no hint."""
    resp = await client.post(
        "/v1/digests",
        data=MD,
        headers={
            **AUTH,
            "X-Digest-Name": "../../etc/feed.xml",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert resp.status == 202
    [digest] = fakes.digests
    assert (digest.source, digest.filename, digest.content_type) == ("http", "feed.xml", None)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer "},
        {"Authorization": TOKEN},
    ],
)
async def test_bad_or_missing_token_is_401(
    client: Client, fakes: Fakes, headers: dict[str, str]
) -> None:
    """No valid bearer token: 401 with a Bearer challenge, nothing ingested."""
    resp = await client.post("/v1/digests", data=MD, headers=headers)
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert TOKEN not in await resp.text()
    assert fakes.digests == []


async def test_scheme_is_case_insensitive(client: Client) -> None:
    """``bearer`` works as well as ``Bearer`` (RFC 7235: schemes are case-insensitive)."""
    resp = await client.post("/v1/digests", data=MD, headers={"Authorization": f"bearer {TOKEN}"})
    assert resp.status == 202


@pytest.mark.parametrize("token", [None, ""])
async def test_no_token_disables_ingest(
    make_client: MakeClient, fakes: Fakes, token: str | None
) -> None:
    """Without a configured token, ingest answers 404, even to a bearer; health still works."""
    client = await make_client(token=token)
    resp = await client.post("/v1/digests", data=MD, headers={"Authorization": "Bearer "})
    assert resp.status == 404
    assert "server.token" in (await resp.json())["error"]
    assert fakes.digests == []
    assert (await client.get("/healthz")).status == 200


async def test_declared_size_over_limit_is_413(client: Client, fakes: Fakes) -> None:
    """A Content-Length over ``max_body`` is refused before the body is read."""
    resp = await client.post("/v1/digests", data=b"x" * (MAX_BODY + 1), headers=AUTH)
    assert resp.status == 413
    assert f"{MAX_BODY} bytes" in (await resp.json())["error"]
    assert fakes.digests == []


async def test_exact_limit_is_accepted(client: Client) -> None:
    """``max_body`` bytes exactly are fine."""
    resp = await client.post("/v1/digests", data=b"x" * MAX_BODY, headers=AUTH)
    assert resp.status == 202


async def test_streamed_body_over_limit_is_413(client: Client, fakes: Fakes) -> None:
    """A chunked body with no length is cut off once it passes the limit."""

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(5):
            yield b"y" * 300

    resp = await client.post("/v1/digests", data=chunks(), headers=AUTH)
    assert resp.status == 413
    assert fakes.digests == []


async def test_limit_applies_after_decompression(client: Client, fakes: Fakes) -> None:
    """A small gzip body that inflates past the limit is refused (no zip bombs)."""
    packed = gzip.compress(b"z" * (MAX_BODY * 50))
    assert len(packed) < MAX_BODY
    resp = await client.post(
        "/v1/digests", data=packed, headers={**AUTH, "Content-Encoding": "gzip"}
    )
    assert resp.status == 413
    assert fakes.digests == []


async def test_empty_body_is_400(client: Client, fakes: Fakes) -> None:
    """Nothing to read: 400."""
    resp = await client.post("/v1/digests", data=b"", headers=AUTH)
    assert resp.status == 400
    assert fakes.digests == []


async def test_unreadable_digest_is_422(client: Client) -> None:
    """A ``DigestError`` from the pipeline is a 422 with its reason on one line."""
    resp = await client.post("/v1/digests", data=b"bad", headers=AUTH)
    assert resp.status == 422
    assert await resp.json() == {"error": "not a digest: no items found"}


async def test_pipeline_failure_is_500_without_details(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    """Another error is a 500 that tells nothing; the log has the traceback."""
    resp = await client.post("/v1/digests", data=b"boom", headers=AUTH)
    assert resp.status == 500
    text = await resp.text()
    assert "postgres" not in text
    assert TOKEN not in text
    assert "ingest of POST /v1/digests from http failed" in caplog.text


async def test_store_outage_is_503_retry_later(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    """The store down: 503 with Retry-After (the client keeps the digest and sends it
    again), one log line, no traceback, nothing about the store in the answer."""
    resp = await client.post("/v1/digests", data=b"store down", headers=AUTH)
    assert resp.status == 503
    assert resp.headers["Retry-After"] == "30"
    assert await resp.json() == {"error": "the store is unavailable; send the digest again later"}
    [record] = [r for r in caplog.records if "cannot connect" in r.getMessage()]
    assert record.exc_info is None


@pytest.mark.parametrize("source", ["", "a b", "x" * 65, "ü", "-lead"])
async def test_bad_source_name_is_400(client: Client, source: str) -> None:
    """``X-Source`` becomes a metric label: a short plain name only."""
    resp = await client.post("/v1/digests", data=MD, headers={**AUTH, "X-Source": source})
    assert resp.status == 400


async def test_multipart_is_415(client: Client) -> None:
    """A form upload is not a digest: 415 says how to send one."""
    resp = await client.post(
        "/v1/digests",
        data=b"--b\r\n\r\nx\r\n--b--\r\n",
        headers={**AUTH, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert resp.status == 415
    assert "--data-binary" in (await resp.json())["error"]


async def test_healthz_ok(client: Client) -> None:
    """Healthy: 200 with the service's state; no token needed."""
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert await resp.json() == {"status": "ok", "stories": 12}


async def test_healthz_not_ok(client: Client, fakes: Fakes) -> None:
    """A status other than ok is a 503 with the state."""
    fakes.state = {"status": "degraded", "store": "unreachable"}
    resp = await client.get("/healthz")
    assert resp.status == 503
    assert await resp.json() == {"status": "degraded", "store": "unreachable"}


async def test_healthz_check_raising(client: Client, fakes: Fakes) -> None:
    """A health check that raises is a 503."""
    fakes.health_error = True
    resp = await client.get("/healthz")
    assert resp.status == 503
    assert (await resp.json())["status"] == "error"


async def test_metrics(client: Client, fakes: Fakes) -> None:
    """Prometheus text, refreshed first, counting requests by route and status."""
    await client.post("/v1/digests", data=MD, headers=AUTH)
    await client.post("/v1/digests", data=MD)
    await client.get("/nowhere")
    resp = await client.get("/metrics")
    assert resp.status == 200
    assert resp.headers["Content-Type"] == fakes.metrics.content_type
    text = await resp.text()
    assert fakes.refreshed == 1
    assert 'notifier_queue_depth{channel="tg",state="queued"} 5.0' in text
    assert 'notifier_http_requests_total{route="/v1/digests",status="202"} 1.0' in text
    assert 'notifier_http_requests_total{route="/v1/digests",status="401"} 1.0' in text
    assert 'notifier_http_requests_total{route="unmatched",status="404"} 1.0' in text


async def test_metrics_refresh_failing(make_client: MakeClient, fakes: Fakes) -> None:
    """A failing refresh still serves what there is."""

    async def broken() -> None:
        raise RuntimeError("store down")

    client = await make_client(refresh_metrics=broken)
    resp = await client.get("/metrics")
    assert resp.status == 200
    assert "notifier_matches_total" in await resp.text()


async def test_no_metrics(make_client: MakeClient) -> None:
    """Without metrics there is no /metrics, and the rest works."""
    client = await make_client(metrics=None, refresh_metrics=None)
    assert (await client.get("/metrics")).status == 404
    assert (await client.post("/v1/digests", data=MD, headers=AUTH)).status == 202
