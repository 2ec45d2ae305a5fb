"""An API request with a token and a presigned URL leaves neither in the JSON logs."""

from __future__ import annotations

import io
import json
import logging
from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient

from resources.logging_setup import HANDLER_NAME, configure_logging
from resources.settings import Settings

CREATE = """mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  __typename ... on UploadTicket { uploadUrl } } }"""


def test_api_logs_are_json_without_tokens_or_signatures(
    client: TestClient, api_settings: Settings
) -> None:
    stream = io.StringIO()
    configure_logging(api_settings, stream=stream)
    try:
        headers = {"Authorization": "Bearer alice-token"}
        variables = {"input": {"filename": "a.mp4", "contentType": "video/mp4", "sizeBytes": 9}}
        response = client.post(
            "/graphql", json={"query": CREATE, "variables": variables}, headers=headers
        )
        url = response.json()["data"]["createUpload"]["uploadUrl"]
        signature = parse_qs(urlparse(url).query)["X-Amz-Signature"][0]
        # the careless log lines a service might write
        log = logging.getLogger("graphql_api.services")
        log.info("issued upload ticket %s", url)
        log.info("request headers %s", dict(headers))
        log.info("ticket", extra={"upload_url": url, "headers": headers})
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
            root.removeHandler(handler)

    out = stream.getvalue()
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(signature) == 64
    assert signature not in out
    assert "alice-token" not in out
    assert "X-Amz-Signature=[REDACTED]" in out
    access = [line for line in lines if line["logger"] == "graphql_api.access"]
    assert access[0]["route"] == "/graphql"
    assert access[0]["status"] == 200
    assert access[0]["duration_s"] >= 0


def test_media_link_tokens_are_kept_out_of_logs(client: TestClient, api_settings: Settings) -> None:
    create = """mutation($input: CreateUploadInput!) { createUpload(input: $input) {
      __typename ... on UploadTicket { mediaUploadUrl } } }"""
    variables = {"input": {"filename": "a.mp4", "contentType": "video/mp4", "sizeBytes": 9}}
    headers = {"Authorization": "Bearer alice-token"}
    body = client.post("/graphql", json={"query": create, "variables": variables}, headers=headers)
    url = body.json()["data"]["createUpload"]["mediaUploadUrl"]
    token = parse_qs(urlparse(url).query)["t"][0]
    stream = io.StringIO()
    configure_logging(api_settings, stream=stream)
    try:
        # what uvicorn's access log writes for the upload
        logging.getLogger("uvicorn.access").info('127.0.0.1:5000 - "PUT %s HTTP/1.1" 200', url)
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
            root.removeHandler(handler)
    out = stream.getvalue()
    assert token.split(".")[-1] not in out
    assert "t=[REDACTED]" in out and urlparse(url).path in out
