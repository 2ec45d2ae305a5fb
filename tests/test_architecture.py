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


@pytest.mark.parametrize("path", sorted(ANALYSIS.glob("*.py")), ids=lambda p: p.name)
def test_analysis_module_imports_no_framework(path: Path) -> None:
    assert not _imported_roots(path) & FORBIDDEN, f"{path.name} imports a framework"


def test_the_check_sees_every_agent() -> None:
    names = {p.stem for p in ANALYSIS.glob("*.py")}
    assert {"silence", "transcript", "layout", "content", "segments", "compiler"} <= names
