"""Schema-driven fuzzing of every query and mutation input over HTTP: never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from hypothesis_graphql import strategies as gql_st

from graphql_api.schema import build_schema
from tests.reliability.conftest import Harness

SDL = build_schema().as_str()
SCALARS = {
    "DateTime": st.datetimes().map(lambda d: d.isoformat()).map(nodes.String),
    "JSON": st.text(max_size=20).map(nodes.String),
    "Long": st.integers(min_value=-(2**63), max_value=2**63 - 1).map(nodes.Int),
}
FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _post(harness: Harness, query: str, token: str | None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = harness.client.post("/graphql", json={"query": query}, headers=headers)
    return response.status_code, response.text


@pytest.mark.parametrize("kind", ["queries", "mutations"])
def test_fuzzed_operations_never_cause_a_server_error(harness: Harness, kind: str) -> None:
    strategy = getattr(gql_st, kind)(SDL, custom_scalars=SCALARS)
    tokens = st.sampled_from(["alice-token", "bob-token", None])

    @FUZZ
    @given(query=strategy, token=tokens)
    def check(query: str, token: str | None) -> None:
        status, text = _post(harness, query, token)
        assert status < 500, (status, query, text[:500])
        assert status in (200, 400) and ('"data"' in text or '"errors"' in text), text[:300]

    check()
