"""moto_server with the few gaps of moto 5.2.5 that these tests hit filled in, for the tests only.

Run as a script: ``python tests/step_function/patched_moto_server.py -H 127.0.0.1 -p PORT``
(MOTO_PORT must equal PORT: moto's state machine interpreter calls back into this server).

What it adds, and why (each patch is small and leaves every other behaviour stock):

1. ``ValidateStateMachineDefinition`` -> ``{"result": "OK"}``. The AWS provider calls it before
   creating ``aws_sfn_state_machine`` and retries for minutes when it is missing. The definition
   is validated for real by asl-validator in ``make infra-check`` and executed by the tests.
2. ``ListStateMachineVersions`` -> no versions. The provider calls it when reading the resource.
3. Parameter/response name conversion for the ``ecs:runTask.sync`` and ``aws-sdk:*`` task
   integrations. Step Functions takes PascalCase parameters (``LaunchType``) and returns PascalCase
   fields (``TaskArn``, ``Executions``); moto's interpreter left the conversion empty, so boto3
   got ``LaunchType`` instead of ``launchType`` (the ``States.Runtime "'LaunchType'"`` error).
   The conversion below uses botocore's service model, as AWS's own integrations do. moto also
   silently dropped RunTask parameters missing from its list, among them
   ``CapacityProviderStrategy`` (supported by AWS): it is added to the list.
4. A ``ClientError`` from the ECS integration is reported as ``ECS.<error code>`` (for example
   ``ECS.ClusterNotFoundException``), as AWS reports it, instead of ``States.Runtime``; so a
   Retry/Catch on ECS error names can be exercised.
5. S3 bucket policies: moto ignores a statement's Condition, so the project's TLS-only policy
   (Deny when aws:SecureTransport is false) denied every request. Statements with a Condition
   are left out of moto's evaluation (requests are taken to be TLS, as in AWS); unconditional
   statements are evaluated as before.
6. ``aws-sdk:s3:*`` errors are named ``S3.<exception>Exception`` (``S3.NoSuchKeyException``), as
   AWS names them, instead of ``s3.…``.
7. Opt-in, with ``PATCHED_MOTO_CONTAINER_ENTRYPOINT`` set to a JSON list (for example
   ``["python", "-m", "dbt_runner"]``): ``ecs:runTask.sync`` runs the task's container here, as
   that entrypoint plus the command, with the environment of the task definition and of the
   RunTask overrides; then the task is stopped, and a non-zero exit code fails the state with
   ``States.TaskFailed`` and the stopped task as the cause, as AWS does. Without it moto never
   runs a container and every task succeeds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from botocore.exceptions import ClientError
from botocore.session import get_session
from moto.core.responses import ActionResult


def _operation_model(service: str, snake_action: str) -> Any:
    from moto.stepfunctions.parser.utils import camel_to_snake_case

    model = get_session().get_service_model(service)
    for name in model.operation_names:
        if camel_to_snake_case(name) == snake_action:
            return model.operation_model(name)
    raise KeyError(f"{service} has no operation {snake_action}")


def _normalise_parameters(
    self: Any,
    parameters: dict,
    boto_service_name: str | None = None,
    service_action_name: str | None = None,
) -> None:
    operation = _operation_model(
        self._get_boto_service_name(boto_service_name),
        self._get_boto_service_action(service_action_name),
    )
    self._to_boto_request(parameters, operation.input_shape)


def _normalise_response(
    self: Any,
    response: Any,
    boto_service_name: str | None = None,
    service_action_name: str | None = None,
) -> None:
    operation = _operation_model(
        self._get_boto_service_name(boto_service_name),
        self._get_boto_service_action(service_action_name),
    )
    if operation.output_shape is not None:
        self._from_boto_response(response, operation.output_shape)


CONTAINER_ENTRYPOINT = "PATCHED_MOTO_CONTAINER_ENTRYPOINT"


def _run_container(entrypoint: list[str], ecs_client: Any, parameters: dict) -> int:
    """The task definition's (first) container, run here; returns its exit code."""
    definition = ecs_client.describe_task_definition(taskDefinition=parameters["taskDefinition"])
    container = definition["taskDefinition"]["containerDefinitions"][0]
    overrides = parameters.get("overrides", {}).get("containerOverrides", [])
    override = next((o for o in overrides if o.get("name") == container["name"]), {})
    environment = {
        item["name"]: item["value"]
        for item in [*container.get("environment", []), *override.get("environment", [])]
    }
    command = override.get("command") or container.get("command") or []
    completed = subprocess.run(
        [*entrypoint, *command], env={**os.environ, **environment}, check=False
    )
    return completed.returncode


def _patch_interpreter() -> None:
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
        CustomErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
        StatesErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk,
        state_task_service_ecs,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
    from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    ecs_cls = state_task_service_ecs.StateTaskServiceEcs
    state_task_service_ecs._SUPPORTED_API_PARAM_BINDINGS["runtask"].update(
        {"CapacityProviderStrategy", "Count", "EnableECSManagedTags", "ReferenceId", "Tags"}
    )
    sdk_cls = state_task_service_aws_sdk.StateTaskServiceAwsSdk
    for cls in (ecs_cls, sdk_cls):
        cls._normalise_parameters = _normalise_parameters
        cls._normalise_response = _normalise_response

    stock_from_error = ecs_cls._from_error

    def ecs_from_error(self: Any, env: Any, ex: Exception) -> Any:
        if isinstance(ex, ClientError):
            error = f"ECS.{ex.response['Error'].get('Code', 'AmazonECSException')}"
            cause = ex.response["Error"].get("Message", str(ex))
            return FailureEvent(
                env=env,
                error_name=CustomErrorName(error),
                event_type=HistoryEventType.TaskFailed,
                event_details=EventDetails(
                    taskFailedEventDetails=TaskFailedEventDetails(
                        resource=self._get_sfn_resource(),
                        resourceType=self._get_sfn_resource_type(),
                        error=error,
                        cause=cause,
                    )
                ),
            )
        return stock_from_error(self, env, ex)

    ecs_cls._from_error = ecs_from_error
    state_task_service_aws_sdk._SERVICE_ERROR_NAMES["s3"] = "S3"

    stock_sync_resolver = ecs_cls._build_sync_resolver

    def run_container_then_stop(
        self: Any,
        env: Any,
        resource_runtime_part: Any,
        normalised_parameters: dict,
        state_credentials: Any,
    ) -> Any:
        entrypoint = os.environ.get(CONTAINER_ENTRYPOINT)
        if not entrypoint:
            return stock_sync_resolver(
                self, env, resource_runtime_part, normalised_parameters, state_credentials
            )
        ecs_client = boto_client_for(
            service="ecs",
            region=resource_runtime_part.region,
            state_credentials=state_credentials,
        )
        task = env.stack.pop()["Tasks"][0]

        def resolve() -> dict:
            exit_code = _run_container(json.loads(entrypoint), ecs_client, normalised_parameters)
            cluster, task_arn = task["ClusterArn"], task["TaskArn"]
            ecs_client.stop_task(
                cluster=cluster, task=task_arn, reason="Essential container exited"
            )
            described = ecs_client.describe_tasks(cluster=cluster, tasks=[task_arn])
            self._normalise_response(response=described, service_action_name="describe_tasks")
            stopped = described["Tasks"][0]
            for container in stopped.get("Containers", []):
                container["ExitCode"] = exit_code
            if exit_code == 0:
                return stopped
            failed = StatesErrorNameType.StatesTaskFailed
            raise FailureEventException(
                FailureEvent(
                    env=env,
                    error_name=StatesErrorName(typ=failed),
                    event_type=HistoryEventType.TaskFailed,
                    event_details=EventDetails(
                        taskFailedEventDetails=TaskFailedEventDetails(
                            resource=self._get_sfn_resource(),
                            resourceType=self._get_sfn_resource_type(),
                            error=failed.to_name(),
                            cause=to_json_str(stopped),
                        )
                    ),
                )
            )

        return resolve

    ecs_cls._build_sync_resolver = run_container_then_stop


def _patch_responses() -> None:
    from moto.stepfunctions.responses import StepFunctionResponse

    def validate_state_machine_definition(self: Any) -> ActionResult:
        return ActionResult({"result": "OK", "diagnostics": [], "truncated": False})

    def list_state_machine_versions(self: Any) -> ActionResult:
        return ActionResult({"stateMachineVersions": []})

    StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition
    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions


def _patch_s3_bucket_policy() -> None:
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self: Any, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy)
        statements = document.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        unconditional = [statement for statement in statements if "Condition" not in statement]
        if not unconditional:
            return PermissionResult.NEUTRAL
        policy = IAMPolicy(json.dumps({**document, "Statement": unconditional}))
        return policy.is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission


def apply_patches() -> None:
    _patch_responses()
    _patch_interpreter()
    _patch_s3_bucket_policy()


if __name__ == "__main__":
    apply_patches()
    from moto.server import main

    main(sys.argv[1:])
