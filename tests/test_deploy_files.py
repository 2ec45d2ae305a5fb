"""docker-compose.yml, dagster.yaml and the Dockerfile agree with each other and with Settings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster._config import process_config
from dagster._core.instance.config import dagster_instance_config
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster_postgres import DagsterPostgresStorage

from lecture_assets.scale_out import ALL_QUEUES, DEFAULT_QUEUE, STAGE_QUEUES, celery_config
from resources.settings import Settings

ROOT = Path(__file__).parents[1]
VAR = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)")


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / name).read_text())
    return data


def _lecture_vars(text: str) -> set[str]:
    return {name for name in re.findall(r"\b(LECTURE_[A-Z0-9_]+)", text)}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return _load("docker-compose.yml")


@pytest.fixture(scope="module")
def dagster_yaml() -> dict[str, Any]:
    return _load("dagster.yaml")


def test_every_lecture_variable_is_a_setting() -> None:
    fields = {f"LECTURE_{name.upper()}" for name in Settings.model_fields}
    for name in ("docker-compose.yml", "dagster.yaml", ".env.example", "deploy/helm-values.yaml"):
        unknown = _lecture_vars((ROOT / name).read_text()) - fields
        assert not unknown, f"{name} uses variables Settings does not read: {sorted(unknown)}"


def test_compose_has_the_production_services_with_health_checks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in (
        "postgres",
        "minio",
        "code-location",
        "dagster-webserver",
        "dagster-daemon",
        "api",
    ):
        assert name in services
    for name in (
        "postgres",
        "minio",
        "code-location",
        "dagster-webserver",
        "dagster-daemon",
        "api",
    ):
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert "grpc" in services["code-location"]["command"]
    assert "mc mb" in services["minio-init"]["entrypoint"]
    assert "lecture_assets.storage_setup" in services["storage-init"]["command"]
    assert set(compose["volumes"]) == {"postgres-data", "minio-data"}
    mounts = services["postgres"]["volumes"] + services["minio"]["volumes"]
    assert all(m.split(":")[0] in compose["volumes"] for m in mounts)
    assert services["dagster-daemon"]["group_add"], "the daemon needs the docker socket's group"


def test_compose_bakes_in_no_secrets(compose: dict[str, Any]) -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for line in text.splitlines():
        key, _, value = line.strip().partition(":")
        if re.search(r"PASSWORD|SECRET|TOKENS|API_KEY", key):
            value = value.strip()
            assert not value or value.startswith("${"), f"secret not from .env: {line.strip()}"
    for secret in ("POSTGRES_PASSWORD", "LECTURE_S3_SECRET_ACCESS_KEY", "LECTURE_API_TOKENS"):
        assert re.search(r"\$\{" + secret + r":\?", text), f"{secret} must be required from .env"


def test_dagster_env_matches_between_run_launcher_and_compose(
    compose: dict[str, Any], dagster_yaml: dict[str, Any]
) -> None:
    app_env = set(compose["x-app-env"])
    launcher = dagster_yaml["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_docker", "DockerRunLauncher")
    forwarded = set(launcher["config"]["env_vars"])
    assert forwarded <= app_env, f"run workers would miss {sorted(forwarded - app_env)}"
    dagster_vars = {v for v in app_env if v.startswith("DAGSTER_PG_")}
    assert dagster_vars <= forwarded, "run workers need every DAGSTER_PG_* to reach the storage"
    used = set(VAR.findall(yaml.safe_dump(dagster_yaml))) | {
        v["env"] for v in _env_refs(dagster_yaml)
    }
    assert {u for u in used if u.startswith("DAGSTER_")} <= app_env
    assert launcher["config"]["network"] in compose["networks"]
    # everything a run needs from settings is forwarded to the run containers
    for needed in ("LECTURE_JOB_STORE_URL", "LECTURE_S3_BUCKET", "LECTURE_S3_SECRET_ACCESS_KEY"):
        assert needed in forwarded


def _env_refs(node: Any) -> list[dict[str, str]]:
    if isinstance(node, dict):
        if set(node) == {"env"}:
            return [node]
        return [ref for value in node.values() for ref in _env_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _env_refs(value)]
    return []


def test_dagster_yaml_is_a_valid_dagster_instance_config(
    tmp_path: Path, dagster_yaml: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "HOST": "pg",
        "PORT": "5432",
        "USER": "u",
        "PASSWORD": "p",
        "DB": "d",
    }.items():
        monkeypatch.setenv(f"DAGSTER_PG_{name}", value)
    (tmp_path / "dagster.yaml").write_text((ROOT / "dagster.yaml").read_text())
    config, _ = dagster_instance_config(str(tmp_path))
    assert config["run_monitoring"]["enabled"] is True
    assert config["run_retries"]["enabled"] is True
    storage = process_config(
        DagsterPostgresStorage.config_type(), dagster_yaml["storage"]["postgres"]
    )
    assert storage.success, storage.errors
    coordinator = dagster_yaml["run_coordinator"]
    assert coordinator["class"] == "QueuedRunCoordinator"
    checked = process_config(QueuedRunCoordinator.config_type(), coordinator["config"])
    assert checked.success, checked.errors
    assert coordinator["config"]["max_concurrent_runs"] >= 1
    handler = config["python_logs"]["dagster_handler_config"]["formatters"]["json"]
    assert handler["()"] == "resources.logging_setup.JsonLogFormatter"


def test_dockerfile_is_multi_stage_non_root_with_wheel_ffmpeg() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+\S+\s+AS\s+(\w+)", text, re.M | re.I)
    assert len(stages) >= 2, "expected a build stage and a runtime stage"
    assert re.search(r"COPY --from=build", text)
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0"), "the image must end as a non-root user"
    last_instruction = [ln for ln in text.splitlines() if re.match(r"^[A-Z]+\s", ln)]
    assert not any(ln.startswith("RUN") for ln in last_instruction[last_instruction.index(
        f"USER {users[-1]}"):])  # fmt: skip
    assert not re.search(r"apt-get install[^\n]*\bffmpeg\b", text), "ffmpeg comes from the wheel"
    assert "imageio-ffmpeg" in (ROOT / "pyproject.toml").read_text()
    assert not re.search(r"(PASSWORD|SECRET|TOKEN)\S*=", text)


def test_compose_workers_scale_out_over_redis(compose: dict[str, Any]) -> None:
    services, env = compose["services"], compose["x-app-env"]
    worker = services["worker"]
    # `--scale worker=N` needs interchangeable replicas: no fixed name, no host ports
    assert "container_name" not in worker and "ports" not in worker
    assert worker["command"][:3] == ["python", "-m", "lecture_assets.celery_worker"]
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
    assert worker["environment"] is env, "workers need the same settings as the code location"
    assert env["LECTURE_EXECUTOR"].startswith("${LECTURE_EXECUTOR:-celery}")
    for key in ("LECTURE_CELERY_BROKER_URL", "LECTURE_CELERY_BACKEND_URL"):
        assert env[key].startswith("redis://redis:6379/"), key
    assert env["LECTURE_CELERY_BROKER_URL"] != env["LECTURE_CELERY_BACKEND_URL"]
    redis = services["redis"]
    assert "healthcheck" in redis and "volumes" not in redis, "the broker keeps nothing on disk"
    # a per-stage pool listens on a queue the assets really route to
    pool = services["worker-transcript"]["command"]
    assert pool[pool.index("--queues") + 1] == STAGE_QUEUES["transcript"]


def test_run_containers_get_the_executor_settings(dagster_yaml: dict[str, Any]) -> None:
    forwarded = set(dagster_yaml["run_launcher"]["config"]["env_vars"])
    assert {"LECTURE_EXECUTOR", "LECTURE_CELERY_BROKER_URL", "LECTURE_CELERY_BACKEND_URL"} <= (
        forwarded
    )


def test_helm_values_run_steps_on_celery_queues_per_stage() -> None:
    values = _load("deploy/helm-values.yaml")
    launcher = values["runLauncher"]
    assert launcher["type"] == "CeleryK8sRunLauncher"
    celery = launcher["config"]["celeryK8sRunLauncher"]
    queues = {q["name"]: q["replicaCount"] for q in celery["workerQueues"]}
    assert set(queues) == set(ALL_QUEUES) and DEFAULT_QUEUE in queues
    assert all(isinstance(n, int) and n >= 1 for n in queues.values())
    wanted = celery_config(Settings(_env_file=None))  # type: ignore[call-arg]
    for key in ("task_acks_late", "task_reject_on_worker_lost", "worker_prefetch_multiplier"):
        assert celery["configSource"][key] == wanted[key], key
    assert values["redis"]["enabled"] is True and values["rabbitmq"]["enabled"] is False
    assert values["redis"]["brokerDbNumber"] != values["redis"]["backendDbNumber"]
    (code,) = values["dagster-user-deployments"]["deployments"]
    assert code["dagsterApiGrpcArgs"] == ["-m", "lecture_assets.definitions"]
    assert code["image"]["repository"] == celery["image"]["repository"]
    env = {e["name"]: e["value"] for e in code["env"]}
    assert Settings(_env_file=None, executor=env["LECTURE_EXECUTOR"]).executor == "celery-k8s"  # type: ignore[call-arg]
    assert code["envSecrets"] == celery["envSecrets"], "steps need the same secrets as the code"
    daemon = values["dagsterDaemon"]
    assert daemon["runMonitoring"]["enabled"] and daemon["runRetries"]["enabled"]
