"""Writes the public GraphQL schema to `schema.graphql`: `python -m graphql_api.export_schema`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graphql_api.schema import build_schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"
COMMAND = "make schema (or: python3 -m uv run python -m graphql_api.export_schema)"


def schema_sdl() -> str:
    """The schema the API serves, as SDL with its descriptions."""
    return build_schema().as_str() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the file, or with --check say whether it is up to date (exit 1 when not)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--out", type=Path, default=SCHEMA_FILE, help="where the SDL goes")
    args = parser.parse_args(argv)
    sdl = schema_sdl()
    if args.check:
        current = args.out.read_text() if args.out.exists() else ""
        if current != sdl:
            sys.stderr.write(f"{args.out} is out of date with the API's schema; run {COMMAND}\n")
            return 1
        return 0
    args.out.write_text(sdl)
    sys.stdout.write(f"wrote {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
