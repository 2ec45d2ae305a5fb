"""The Strawberry schema with its protective extensions."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from graphql_api.mutations import Mutation
from graphql_api.queries import Query
from graphql_api.subscriptions import Subscription


def _extensions() -> list[Any]:
    # instances, not factories: the parse/validation caches must outlive a single request
    return [
        QueryDepthLimiter(max_depth=8),
        MaxAliasesLimiter(max_alias_count=30),
        MaxTokensLimiter(max_token_count=2000),
        ParserCache(maxsize=256),
        ValidationCache(maxsize=256),
    ]


def build_schema() -> strawberry.Schema:
    """Query, mutation and subscription, with depth/alias/token limits and caches."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=_extensions(),
    )
