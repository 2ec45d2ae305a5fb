"""The Strawberry schema with its protective extensions."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLObjectType
from graphql.language import FieldNode
from graphql.pyutils import Path
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql_api.clip_edits import ClipEditMutation
from graphql_api.mutations import Mutation as JobMutation
from graphql_api.queries import Query as JobQuery
from graphql_api.studio_fields import StudioQuery
from graphql_api.subscriptions import Subscription


@strawberry.type(description="Reads: your jobs and who you are.")
class Query(JobQuery, StudioQuery):
    """Every query field, by domain."""


@strawberry.type(description="Writes: uploads, job operations and the studio's clip edits.")
class Mutation(JobMutation, ClipEditMutation):
    """Every mutation field, by domain."""


class CachedNameConverter(NameConverter):
    """snake_case to camelCase once per name: Strawberry converts every argument and input field
    name again on each request (to_camel_case was ~4% of a createUpload's CPU)."""

    def __init__(self, auto_camel_case: bool = True) -> None:
        super().__init__(auto_camel_case)
        self._names: dict[str, str] = {}

    def apply_naming_config(self, name: str) -> str:
        converted = self._names.get(name)
        if converted is None:
            # the names come from the schema's Python code, so the dict stays small
            converted = self._names[name] = super().apply_naming_config(name)
        return converted


class RootFieldResolveHooks(StrawberryGraphQLCoreExecutionContext):
    """Runs the schema extensions' `resolve` hooks on root fields only.

    Strawberry hands graphql-core one middleware per extension that implements `resolve`, and
    graphql-core wraps every field's resolver in it, nested ones included. Our only such hook
    (the metrics extension) counts root fields, so the wrapping below the root was pure cost:
    a partial and a call per field, per request, for every object of a list. Nested fields
    resolve here with the middleware manager switched off (graphql-core reads it once, at the
    start of `execute_field`, synchronously).
    """

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_nodes: list[FieldNode],
        path: Path,
    ) -> Any:
        manager = self.middleware_manager
        if path.prev is None or manager is None:
            return super().execute_field(parent_type, source, field_nodes, path)
        self.middleware_manager = None
        try:
            return super().execute_field(parent_type, source, field_nodes, path)
        finally:
            self.middleware_manager = manager


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
        config=StrawberryConfig(name_converter=CachedNameConverter()),
        execution_context_class=RootFieldResolveHooks,
    )
