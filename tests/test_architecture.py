"""The analysis agents stay pure: no orchestration, storage or web framework imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ANALYSIS = Path(__file__).resolve().parents[1] / "lecture_assets" / "analysis"
FORBIDDEN = {"dagster", "boto3", "botocore", "strawberry", "fastapi", "starlette"}


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize(
    "path", sorted(ANALYSIS.rglob("*.py")), ids=lambda p: str(p.relative_to(ANALYSIS))
)
def test_analysis_module_imports_no_framework(path: Path) -> None:
    assert not _imported_roots(path) & FORBIDDEN, f"{path.name} imports a framework"


def test_the_check_sees_every_agent() -> None:
    packages = {p.parent.name for p in ANALYSIS.glob("*/__init__.py")}
    agents = {"silence", "transcript", "layout", "slides", "content", "segments", "render"}
    assert agents | {"media"} <= packages
