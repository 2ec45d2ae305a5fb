"""Described argument types shared by the queries, mutations and subscriptions."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graphql_api.types import CaptionStyle, JobOptionsInput, Layout

JobId = Annotated[strawberry.ID, strawberry.argument(description="The job's id.")]
ClipIndex = Annotated[int, strawberry.argument(description="The clip's index, from 1.")]
SourceTime = Annotated[
    float | None, strawberry.argument(description="A time in the lecture, source seconds.")
]
NewTitle = Annotated[str | None, strawberry.argument(description="The clip's new title.")]
NewCaptionStyle = Annotated[
    CaptionStyle | None, strawberry.argument(description="The clip's own caption style.")
]
NewLayout = Annotated[Layout | None, strawberry.argument(description="The clip's own layout.")]
Options = Annotated[
    JobOptionsInput | None,
    strawberry.argument(description="Options replacing the job's; absent ones are kept."),
]
