"""The runner's settings: pure parsing of the task's environment and command."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dbt_runner.entrypoint import StepResult, final_exit_code
from dbt_runner.settings import SettingsError, parse_s3_uri, settings_from_env

ENV = {"COLA_ARTIFACTS_URI": "s3://artifacts-bucket/dbt-runs/", "COLA_RUN_ID": "exec-42"}


def test_defaults_to_dbt_build_on_prod():
    settings = settings_from_env(ENV, [])
    assert settings.dbt_command == ("build",)
    assert settings.dbt_target == "prod"
    assert settings.artifacts_uri == "s3://artifacts-bucket/dbt-runs/exec-42/"


def test_the_command_override_is_passed_to_dbt():
    settings = settings_from_env(ENV, ["run", "--select", "staging"])
    assert settings.dbt_command == ("run", "--select", "staging")


def test_without_a_run_id_the_run_is_named_by_its_start():
    now = datetime(2024, 1, 4, 6, 30, tzinfo=UTC)
    settings = settings_from_env({"COLA_ARTIFACTS_URI": "s3://b/p"}, [], now=now)
    assert settings.run_id == "manual-20240104T063000Z"


@pytest.mark.parametrize(
    ("env", "argv", "message"),
    [
        ({}, [], "COLA_ARTIFACTS_URI is not set"),
        ({"COLA_ARTIFACTS_URI": "https://b/p"}, [], "s3://bucket/prefix"),
        ({**ENV, "COLA_RUN_ID": "../other-run"}, [], "cannot name an S3 folder"),
        ({**ENV, "COLA_RUN_ID": "a/b"}, [], "cannot name an S3 folder"),
        (ENV, ["--select", "x"], "must start with a dbt subcommand"),
    ],
)
def test_bad_environments_are_refused_with_a_clear_message(env, argv, message):
    with pytest.raises(SettingsError, match=message):
        settings_from_env(env, argv)


def test_s3_uri():
    assert parse_s3_uri("s3://bucket") == ("bucket", "")
    assert parse_s3_uri("s3://bucket/a/b/") == ("bucket", "a/b")


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ({"freshness": 0, "main": 0, "docs": 0}, 0),
        ({"freshness": 0, "main": 1, "docs": 0}, 1),
        ({"freshness": 1, "main": 2, "docs": 1}, 2),
        ({"freshness": 1, "main": 0, "docs": 0}, 1),
        ({"freshness": 0, "main": 0, "docs": 2}, 2),
    ],
)
def test_exit_code_is_the_commands_first(codes, expected):
    results = {step: StepResult(step, (), code, 0.0) for step, code in codes.items()}
    assert final_exit_code(results) == expected
