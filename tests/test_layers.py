"""Layers only point down (the import-linter contracts) and use only public Dagster API."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("lecture_assets", "resources", "sensors", "graphql_api")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the packages under `root` with the contracts in its pyproject."""
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_layer_contract_is_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, (
        "an import crosses a layer (see the contracts under [tool.importlinter] in "
        "pyproject.toml); move the code to the layer it belongs to or pass the dependency in:\n"
        + result.stdout
        + result.stderr
    )
    assert "Contracts: 5 kept, 0 broken." in result.stdout, result.stdout


def test_a_resource_importing_an_agent_breaks_the_contracts(tmp_path: Path) -> None:
    # the contracts are live: the same tree plus one backwards import fails with a report
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("static", "*.pyc")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / "resources" / "limits.py").open("a") as module:
        module.write("\nfrom lecture_assets.analysis.silence import detect  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "resources.limits -> lecture_assets.analysis.silence.detect" in result.stdout
    assert "resources is not allowed to import lecture_assets" in result.stdout


# private Dagster imports the product keeps, each because Dagster offers no public path
PRIVATE_DAGSTER_ALLOWED = {
    # a run launcher's worker-health result types (CheckRunHealthResult, WorkerStatus)
    "lecture_assets/local_launcher.py",
}


def _private_dagster_imports(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names = (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        )
        found += [n for n in names if n.startswith("dagster._")]
    return found


def test_the_product_uses_only_dagsters_public_api() -> None:
    offenders: dict[str, list[str]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            found = [] if name in PRIVATE_DAGSTER_ALLOWED else _private_dagster_imports(path)
            # instance config written by code (the embedded dagster.yaml) names modules too
            found += ["module:"] if re.search(r"module:\s*dagster\._", path.read_text()) else []
            if found:
                offenders[name] = found
    for config in ("dagster.yaml", "workspace.yaml"):
        if re.search(r"module:\s*dagster\._", (ROOT / config).read_text()):
            offenders[config] = ["module:"]
    assert not offenders, (
        f"import these from `dagster` (its public API) instead: {offenders}; if Dagster has "
        "no public path, add the file to PRIVATE_DAGSTER_ALLOWED with the reason"
    )
