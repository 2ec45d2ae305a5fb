"""Hostile clients: path and unicode tricks in names, keys nobody issued, foreign owners,
oversized queries and token guessing. Nobody gets in, and nothing answers with a 500.

Limit: the moto server does not verify presigned signatures or expiry, so a tampered or
expired URL cannot be shown to fail here (real S3 and MinIO refuse them). What we can and do
show: keys are derived server-side, URLs are only handed to the key's owner, and the sensor
ignores any object that no job registered.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.reliability import media
from tests.reliability.conftest import JOB, Harness

KEY = re.compile(r"^uploads/alice/[0-9a-f-]{36}/source\.(mp4|mkv)$")


@pytest.mark.parametrize(
    "filename",
    [
        "..%2f..%2fx.mp4",
        "../../bob/evil/..\\source.mp4",
        "evil\u202eexe.mp4",  # right-to-left override: shows as "evilmp4.exe"
        "\uff0e\uff0e\uff0f\uff0e\uff0e\uff0fetc\uff0fpasswd.mp4",  # fullwidth ../ (NFKC)
        "\u2024\u2024/\u2024\u2024/x.mp4",  # one-dot leaders become dots under NFKC
        "lecture\x00.exe.mp4",
        "\uff4c\uff45\uff43\uff54\uff55\uff52\uff45\uff0e\uff4d\uff50\uff14",  # fullwidth
        "a" * 5000 + ".mp4",
        "CON.mkv",
    ],
)
def test_any_filename_gives_a_server_derived_key_and_a_safe_display_name(
    harness: Harness, filename: str
) -> None:
    ctype = "video/x-matroska" if filename.endswith("mkv") else "video/mp4"
    ticket = harness.create(100, filename, ctype)
    assert ticket["__typename"] == "UploadTicket", ticket
    job = harness.record(ticket["job"]["id"])
    assert KEY.match(job.source_key), job.source_key
    assert job.source_key.split("/")[2] == job.id
    path = unquote(urlsplit(ticket["uploadUrl"]).path)
    assert path.endswith("/" + job.source_key)
    assert "/" not in job.filename and "\\" not in job.filename and "\x00" not in job.filename
    assert not job.filename.startswith(".") and len(job.filename) <= 200
    assert "\u202e" not in job.filename


@pytest.mark.parametrize("filename", ["lecture\u202e4pm.exe", "x.mp4.exe", "x.mp4%00.exe"])
def test_disguised_executables_are_refused(harness: Harness, filename: str) -> None:
    ticket = harness.create(100, filename)
    assert (ticket["__typename"], ticket["code"]) == ("ValidationError", "UNSUPPORTED_TYPE")


def test_nobody_gets_a_url_or_a_run_for_someone_elses_key(harness: Harness, tmp_path) -> None:  # type: ignore[no-untyped-def]
    clip = media.video(tmp_path / "v.mp4").read_bytes()
    bobs = harness.create(len(clip), owner="bob")
    bob_job = bobs["job"]["id"]
    # alice learns bob's job id: she still sees nothing and gets no URL for it
    assert harness.job(bob_job, owner="alice") is None
    # she writes straight into the bucket: under her prefix with bob's id, under bob's prefix
    # with a made-up id, and a key no job issued; the sensor starts nothing for any of them
    harness.storage.put_bytes(f"uploads/alice/{bob_job}/source.mp4", clip)
    harness.storage.put_bytes("uploads/bob/00000000-0000-0000-0000-000000000000/source.mp4", clip)
    harness.storage.put_bytes(f"uploads/bob/{bob_job}/source.mkv", clip)
    harness.storage.put_bytes(f"uploads/bob/{bob_job}/../../alice/x/source.mp4", clip)
    assert harness.started(harness.tick()) == []
    assert harness.job(bob_job, owner="bob")["status"] == "QUEUED"


def _post(client: TestClient, body: object, token: str | None = "alice-token") -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post("/graphql", json=body, headers=headers)
    return response.status_code, response.text


@pytest.mark.parametrize(
    "query",
    [
        "query { jobs { nodes { id } } }" * 2000,  # 60 kB of repeated operations
        "query {" + "jobs { nodes { id } } " * 500 + "}",  # many fields without aliases
        "query { "
        + "__schema { types { fields { type { ofType { " * 6
        + "name"
        + " } } } } }" * 6
        + " }",
        "fragment F on Query { ...F } query { ...F }",  # a fragment cycle
        "query {" + "{" * 5000 + "}" * 5000 + "}",  # parser recursion
        '{ job(id: "' + "x" * 1_000_000 + '") { id } }',  # a 1 MB argument
        "query { job(id: 1) { " + "id " * 3000 + "} }",
    ],
    ids=[
        "repeated-ops",
        "many-fields",
        "deep-introspection",
        "fragment-cycle",
        "braces",
        "huge-arg",
        "many-tokens",
    ],
)
def test_oversized_or_deep_queries_are_refused_with_graphql_errors(
    harness: Harness, query: str
) -> None:
    status, text = _post(harness.client, {"query": query})
    assert status in (200, 400), (status, text[:300])
    assert '"errors"' in text or text == '{"data":{"job":null}}'


@pytest.mark.parametrize(
    "body",
    [[{"query": "{ jobs { nodes { id } } }"}] * 50, "not json", 42, [1, 2], {"query": None}, {}],
)
def test_malformed_request_bodies_never_give_a_500(harness: Harness, body: object) -> None:
    status, _ = _post(harness.client, body)
    assert status < 500


def test_token_guessing_is_rate_limited_per_client(harness: Harness) -> None:
    query = {"query": "{ jobs { nodes { id } } }"}
    statuses = [_post(harness.client, query, token=f"guess-{n}")[0] for n in range(12)]
    assert statuses[:10] == [200] * 10, "a wrong token is an auth error, not a crash"
    assert statuses[10:] == [429, 429]
    response = harness.client.post(
        "/graphql", json=query, headers={"Authorization": "Bearer alice-token"}
    )
    # even the right token waits now, so a late correct guess teaches the attacker nothing
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "TOO_MANY_AUTH_FAILURES" and "try again" in error["message"]
    assert int(response.headers["Retry-After"]) >= 1
    # requests without any token are unaffected (they see AuthError results, as before)
    assert _post(harness.client, query, token=None)[0] == 200


def test_job_query_never_leaks_through_bad_ids(harness: Harness) -> None:
    for bad in ["../../etc/passwd", "' OR 1=1 --", "%", "*", "\u0000", "a" * 10000]:
        body = harness.gql(JOB, {"id": bad})
        assert body["data"]["job"] is None, bad
