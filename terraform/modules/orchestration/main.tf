# The dbt build state machine (definition in step_function/, rendered here), its role and log
# group, the EventBridge Scheduler schedule, and the optional build-after-new-raw-files rule.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  name      = "${var.name_prefix}-dbt-build"

  # Built from the name: the role's policy needs it before the state machine exists.
  state_machine_arn = "arn:${local.partition}:states:${local.region}:${local.account}:stateMachine:${local.name}"
  execution_arns    = "arn:${local.partition}:states:${local.region}:${local.account}:execution:${local.name}:*"

  # Task definitions of the runner's family, any revision; its tasks in the cluster.
  task_definition_family_arn = "${replace(var.task_definition_arn, "/:\\d+$/", "")}:*"
  cluster_name               = element(split("/", var.cluster_arn), length(split("/", var.cluster_arn)) - 1)
  cluster_task_arns          = "arn:${local.partition}:ecs:${local.region}:${local.account}:task/${local.cluster_name}/*"
  # The rule Step Functions manages for every ecs:runTask.sync state.
  sync_rule_arn = "arn:${local.partition}:events:${local.region}:${local.account}:rule/StepFunctionsGetEventsForECSTaskRule"

  # s3://<bucket>/<prefix>: the runner writes each run's summary to <prefix>/<run id>/runner.json,
  # which the failure path reads for the alert (and may read nothing else).
  artifacts_location  = regex("^s3://([^/]+)/(.+?)/?$", var.artifacts_uri)
  artifacts_bucket    = local.artifacts_location[0]
  artifacts_prefix    = local.artifacts_location[1]
  run_summary_objects = "arn:${local.partition}:s3:::${local.artifacts_bucket}/${local.artifacts_prefix}/*/runner.json"

  definition = templatefile(var.definition_template_path, {
    name_prefix                = var.name_prefix
    region                     = local.region
    alerts_topic_arn           = var.alerts_topic_arn
    cluster_arn                = var.cluster_arn
    task_definition_arn        = var.task_definition_arn
    container_name             = var.container_name
    capacity_provider_strategy = [{ CapacityProvider = var.use_fargate_spot ? "FARGATE_SPOT" : "FARGATE", Weight = 1, Base = 0 }]
    subnet_ids                 = var.subnet_ids
    security_group_ids         = var.security_group_ids
    assign_public_ip           = var.assign_public_ip ? "ENABLED" : "DISABLED"
    artifacts_uri              = var.artifacts_uri
    artifacts_bucket           = local.artifacts_bucket
    artifacts_prefix           = local.artifacts_prefix
    runner_log_group           = var.runner_log_group_name
    default_dbt_command        = var.default_dbt_command
    notify_on_success          = var.notify_on_success
    debounce_seconds           = var.debounce_seconds
    guard_settle_seconds       = var.guard_settle_seconds
    build_timeout_seconds      = var.build_timeout_seconds
    execution_timeout_seconds  = var.build_timeout_seconds + var.debounce_seconds + var.guard_settle_seconds + 3600
    retry_interval_seconds     = var.retry_interval_seconds
    retry_max_attempts         = var.retry_max_attempts
    retry_backoff_rate         = var.retry_backoff_rate
    retry_max_delay_seconds    = var.retry_max_delay_seconds
  })
}

resource "aws_cloudwatch_log_group" "state_machine" {
  name              = "/aws/vendedlogs/states/${local.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.ops_kms_key_arn
}

data "aws_iam_policy_document" "assume_states" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "state_machine" {
  name               = "${local.name}-state-machine"
  assume_role_policy = data.aws_iam_policy_document.assume_states.json
}

data "aws_iam_policy_document" "state_machine" {
  statement {
    sid       = "ConcurrencyGuardListsOwnExecutions"
    actions   = ["states:ListExecutions"]
    resources = [local.state_machine_arn]
  }

  statement {
    sid       = "RunDbtRunnerTask"
    actions   = ["ecs:RunTask"]
    resources = [local.task_definition_family_arn]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.cluster_arn]
    }
  }

  statement {
    sid       = "WatchAndStopDbtRunnerTask"
    actions   = ["ecs:DescribeTasks", "ecs:StopTask"]
    resources = [local.cluster_task_arns]
  }

  statement {
    sid       = "RunTaskSyncEventRule"
    actions   = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
    resources = [local.sync_rule_arn]
  }

  statement {
    sid       = "PassRunnerRoles"
    actions   = ["iam:PassRole"]
    resources = [var.task_role_arn, var.execution_role_arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "PublishAlerts"
    actions   = ["sns:Publish"]
    resources = [var.alerts_topic_arn]
  }

  statement {
    sid       = "EncryptAlerts"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.ops_kms_key_arn]
  }

  # No s3:ListBucket: a missing summary reads as 403, which the definition does not retry long.
  statement {
    sid       = "ReadRunSummaryForTheAlert"
    actions   = ["s3:GetObject"]
    resources = [local.run_summary_objects]
  }

  statement {
    sid       = "DecryptRunSummary"
    actions   = ["kms:Decrypt"]
    resources = [var.data_kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid = "DeliverExecutionLogs"
    # CloudWatch Logs delivery actions have no resource-level permissions.
    actions = [
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:DescribeLogGroups",
      "logs:DescribeResourcePolicies",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:UpdateLogDelivery",
    ]
    resources = ["*"]
  }

  statement {
    sid = "XRayTracing"
    # X-Ray has no resource-level permissions for these actions.
    actions   = ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "state_machine" {
  name   = "dbt-build"
  role   = aws_iam_role.state_machine.id
  policy = data.aws_iam_policy_document.state_machine.json
}

resource "aws_sfn_state_machine" "dbt_build" {
  name       = local.name
  role_arn   = aws_iam_role.state_machine.arn
  type       = "STANDARD"
  definition = local.definition

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.state_machine.arn}:*"
    include_execution_data = true
    level                  = "ERROR"
  }

  tracing_configuration {
    enabled = true
  }

  depends_on = [aws_iam_role_policy.state_machine]
}

# --- triggers -------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume_scheduler" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${local.name}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.assume_scheduler.json
}

data "aws_iam_policy_document" "start_build" {
  statement {
    sid       = "StartTheBuild"
    actions   = ["states:StartExecution"]
    resources = [aws_sfn_state_machine.dbt_build.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "start-dbt-build"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.start_build.json
}

resource "aws_scheduler_schedule" "dbt_build" {
  name                         = local.name
  description                  = "Scheduled dbt build of the cola factory analytics."
  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = var.schedule_timezone
  state                        = var.schedule_enabled ? "ENABLED" : "DISABLED"
  kms_key_arn                  = var.ops_kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_sfn_state_machine.dbt_build.arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode({ trigger = "schedule", dbt_command = var.default_dbt_command })

    retry_policy {
      maximum_event_age_in_seconds = 3600
      maximum_retry_attempts       = 3
    }
  }
}

# Optional: start a build when the ingestion Lambda writes raw run reports. Every object starts
# an execution; the state machine's guard lets only the oldest running one through, and that
# one waits debounce_seconds first so a burst of files is built once.
resource "aws_cloudwatch_event_rule" "new_raw_files" {
  count       = var.build_on_new_raw_files ? 1 : 0
  name        = "${local.name}-new-raw-files"
  description = "New raw run reports start a (debounced) dbt build."
  event_pattern = jsonencode({
    source      = ["aws.s3"]
    detail-type = ["Object Created"]
    detail = {
      bucket = { name = [var.raw_bucket_name] }
      object = { key = [{ prefix = "raw/run_reports/" }] }
    }
  })
}

data "aws_iam_policy_document" "assume_events" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "events" {
  count              = var.build_on_new_raw_files ? 1 : 0
  name               = "${local.name}-new-raw-files"
  assume_role_policy = data.aws_iam_policy_document.assume_events.json
}

resource "aws_iam_role_policy" "events" {
  count  = var.build_on_new_raw_files ? 1 : 0
  name   = "start-dbt-build"
  role   = aws_iam_role.events[0].id
  policy = data.aws_iam_policy_document.start_build.json
}

resource "aws_cloudwatch_event_target" "new_raw_files" {
  count    = var.build_on_new_raw_files ? 1 : 0
  rule     = aws_cloudwatch_event_rule.new_raw_files[0].name
  arn      = aws_sfn_state_machine.dbt_build.arn
  role_arn = aws_iam_role.events[0].arn
  input    = jsonencode({ trigger = "new_raw_files" })
}
