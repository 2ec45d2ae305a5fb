"""One list of settings: Settings is the source; .env.example, compose and dagster.yaml agree."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from resources.settings import API_ONLY, EMBEDDED_ONLY, Settings

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "LECTURE_"
SETTINGS = {f"{PREFIX}{name.upper()}": name for name in Settings.model_fields}
# compose values meant for the production stack, not the development defaults
COMPOSE_CHOICES = {"LECTURE_ENVIRONMENT", "LECTURE_EXECUTOR", "LECTURE_S3_PUBLIC_ENDPOINT_URL"}
DEFAULTED = re.compile(r"^\$\{(LECTURE_[A-Z0-9_]+):-(.*)\}$")


def _example() -> dict[str, str]:
    """The `NAME=value` lines of .env.example (commented ones are not settings)."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=", line))
    return {name: value for name, value in pairs}


def _app_env() -> dict[str, str]:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return {k: str(v) for k, v in compose["x-app-env"].items()}


def _comparable(value: object) -> object:
    # an empty variable and an unset optional setting mean the same thing
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return value if value not in ("", None) else None


def _parsed(name: str, raw: str) -> object:
    settings = Settings.model_validate({SETTINGS[name]: raw})
    return _comparable(getattr(settings, SETTINGS[name]))


def _default(name: str) -> object:
    return _comparable(Settings.model_fields[SETTINGS[name]].default)


def test_every_setting_is_documented_in_env_example() -> None:
    missing = sorted(set(SETTINGS) - set(_example()))
    assert not missing, f"add these to .env.example with a comment saying what they do: {missing}"


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_env_example_shows_the_default(name: str) -> None:
    raw = _example().get(name)
    if raw is not None:
        assert _parsed(name, raw) == _default(name), (
            f".env.example says {name}={raw} but Settings defaults to {_default(name)!r}: make "
            "them agree (resources/settings.py is the source)"
        )


def test_compose_passes_every_setting_to_the_containers() -> None:
    # a setting compose leaves out is silently ignored in production, whatever .env says
    wanted = {n for n, field in SETTINGS.items() if field not in EMBEDDED_ONLY}
    missing = sorted(wanted - set(_app_env()))
    assert not missing, f"add these to x-app-env in docker-compose.yml: {missing}"
    embedded = sorted({f"{PREFIX}{f.upper()}" for f in EMBEDDED_ONLY} & set(_app_env()))
    assert not embedded, f"compose fixes these in its service commands: {embedded}"


def test_compose_fallbacks_are_the_settings_defaults() -> None:
    for name, value in _app_env().items():
        match = DEFAULTED.match(value)
        if match and match.group(1) == name and name not in COMPOSE_CHOICES:
            assert _parsed(name, match.group(2)) == _default(name), (
                f"docker-compose.yml falls back to {name}={match.group(2)}, Settings to "
                f"{_default(name)!r}"
            )


def test_run_containers_get_every_setting_but_the_apis() -> None:
    dagster: dict[str, Any] = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    forwarded = set(dagster["run_launcher"]["config"]["env_vars"])
    api_only = {f"{PREFIX}{f.upper()}" for f in API_ONLY}
    wanted = {n for n in _app_env() if n.startswith(PREFIX)} - api_only
    missing = sorted(wanted - forwarded)
    assert not missing, f"add these to dagster.yaml's run_launcher env_vars: {missing}"
    assert not forwarded & api_only, "run containers need no API tokens or API limits"
