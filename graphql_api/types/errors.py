"""Expected failures, returned in union results: each has a stable `code` and a message."""

from __future__ import annotations

import strawberry

CODE = "A stable, machine-readable error code, e.g. NOT_FOUND."
MESSAGE = "What went wrong and what to do next, for a person."


@strawberry.type(description="The input was refused; `field` names the input at fault.")
class ValidationError:
    code: str = strawberry.field(description=CODE)
    message: str = strawberry.field(description=MESSAGE)
    field: str | None = strawberry.field(
        default=None, description="The input field at fault (camelCase), when there is one."
    )


@strawberry.type(description="No such job or clip among yours.")
class NotFoundError:
    code: str = strawberry.field(description=CODE)
    message: str = strawberry.field(description=MESSAGE)


@strawberry.type(description="Too many requests: wait `retryAfterSeconds`, then try again.")
class QuotaExceededError:
    code: str = strawberry.field(description=CODE)
    message: str = strawberry.field(description=MESSAGE)
    retry_after_seconds: int = strawberry.field(description="Seconds to wait before retrying.")


@strawberry.type(description="No API token, or an unknown one.")
class AuthError:
    code: str = strawberry.field(description=CODE)
    message: str = strawberry.field(description=MESSAGE)
