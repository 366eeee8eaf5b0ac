# Module-level native tests: each run applies one module on its own (mocked provider) and
# checks its resources directly.

mock_provider "aws" {
  source = "./tests/mocks/aws"
}

# The replica region's provider (module replication): mocked too, so nothing reaches AWS.
mock_provider "aws" {
  alias  = "replica"
  source = "./tests/mocks/replica"
}


run "bucket_is_private_encrypted_versioned_and_tls_only" {
  command = apply

  module {
    source = "./modules/bucket"
  }

  variables {
    name               = "cola-analytics-raw-123456789012-eu-central-1"
    kms_key_arn        = "arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    archive_after_days = 365
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "SSE-KMS by default."
  }
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).kms_master_key_id == var.kms_key_arn
    error_message = "the project's key."
  }
  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "public access is blocked."
  }
  assert {
    condition     = one(aws_s3_bucket_versioning.this.versioning_configuration).status == "Enabled"
    error_message = "versioning is on."
  }
  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs are disabled."
  }
  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.tls_only.statement :
      statement.effect == "Deny" && anytrue([for c in statement.condition : c.variable == "aws:SecureTransport" && c.values == tolist(["false"])])
    ])
    error_message = "the bucket policy denies requests without TLS."
  }
  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.this[0].rule).transition).days == 365
    error_message = "archive_after_days becomes a transition."
  }
  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.this[0].rule).transition).storage_class == "GLACIER"
    error_message = "archived to Glacier."
  }
}

run "bucket_lifecycle_can_be_turned_off" {
  command = plan

  module {
    source = "./modules/bucket"
  }

  variables {
    name             = "cola-analytics-landing-123456789012-eu-central-1"
    kms_key_arn      = "arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    manage_lifecycle = false
  }

  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.this) == 0
    error_message = "manage_lifecycle = false creates no lifecycle configuration."
  }
}

run "catalog_matches_the_raw_contract" {
  command = apply

  module {
    source = "./modules/catalog"
  }

  variables {
    raw_bucket_name              = "cola-analytics-raw-123456789012-eu-central-1"
    curated_bucket_name          = "cola-analytics-curated-123456789012-eu-central-1"
    ingest_date_projection_start = "2024-01-01"
  }

  assert {
    condition     = [for c in one(aws_glue_catalog_table.run_reports.storage_descriptor).columns : c.name] == ["id", "type", "time", "branch_id", "machine_id", "extra_fields"]
    error_message = "the raw columns, in order."
  }
  assert {
    condition     = one(one(aws_glue_catalog_table.run_reports.storage_descriptor).ser_de_info).serialization_library == "org.apache.hadoop.hive.serde2.RegexSerDe"
    error_message = "RegexSerDe."
  }
  assert {
    condition     = one(one(aws_glue_catalog_table.run_reports.storage_descriptor).ser_de_info).parameters["input.regex"] == "^([^,]*)(?:,([^,]*))?(?:,([^,]*))?(?:,([^,]*))?(?:,([^,]*))?(,.*)?$"
    error_message = "the contract's regex."
  }
  assert {
    condition     = aws_glue_catalog_table.run_reports.parameters["projection.ingest_date.range"] == "2024-01-01,NOW"
    error_message = "projection from the start variable to NOW."
  }
  assert {
    condition     = aws_glue_catalog_table.run_reports.parameters["storage.location.template"] == "s3://cola-analytics-raw-123456789012-eu-central-1/raw/run_reports/ingest_date=$${ingest_date}/"
    error_message = "the location template."
  }
  assert {
    condition     = [for k in aws_glue_catalog_table.run_reports.partition_keys : "${k.name}:${k.type}"] == ["ingest_date:string"]
    error_message = "partitioned by ingest_date (string)."
  }
  assert {
    condition     = toset(keys(aws_glue_catalog_database.dbt)) == toset(["staging", "intermediate", "marts", "seeds"])
    error_message = "dbt's schemas."
  }
}

run "ingestion_wires_s3_sqs_lambda" {
  command = apply

  module {
    source = "./modules/ingestion"
  }

  variables {
    name_prefix            = "cola-analytics"
    landing_bucket_name    = "landing"
    landing_bucket_arn     = "arn:aws:s3:::landing"
    raw_bucket_name        = "raw"
    raw_bucket_arn         = "arn:aws:s3:::raw"
    quarantine_bucket_name = "quarantine"
    quarantine_bucket_arn  = "arn:aws:s3:::quarantine"
    data_kms_key_arn       = "arn:aws:kms:eu-central-1:123456789012:key/data"
    ops_kms_key_arn        = "arn:aws:kms:eu-central-1:123456789012:key/ops"
    lambda_zip_path        = var.lambda_zip_path
    powertools_layer_arn   = "arn:aws:lambda:eu-central-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:18"
    log_retention_days     = 90
  }

  assert {
    condition     = aws_lambda_function.ingestion.handler == "ingestion_lambda.handler.handler" && aws_lambda_function.ingestion.runtime == "python3.12"
    error_message = "the contract's handler and runtime."
  }
  assert {
    condition     = aws_lambda_function.ingestion.layers == tolist([var.powertools_layer_arn])
    error_message = "the Powertools layer is attached."
  }
  assert {
    condition = one(aws_lambda_function.ingestion.environment).variables == tomap({
      RAW_BUCKET              = "raw"
      QUARANTINE_BUCKET       = "quarantine"
      POWERTOOLS_SERVICE_NAME = "ingestion"
      LOG_LEVEL               = "INFO"
    })
    error_message = "the Lambda's environment."
  }
  assert {
    condition     = jsondecode(aws_sqs_queue.events.redrive_policy).maxReceiveCount == 5
    error_message = "redrive to the DLQ after 5 receives."
  }
  assert {
    condition     = aws_sqs_queue.events.kms_master_key_id == var.ops_kms_key_arn && aws_sqs_queue.dlq.kms_master_key_id == var.ops_kms_key_arn
    error_message = "queues are KMS-encrypted."
  }
  assert {
    condition     = one(aws_s3_bucket_notification.landing.queue).events == toset(["s3:ObjectCreated:*"])
    error_message = "every ObjectCreated of the landing bucket."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.queue.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "partial batch failures."
  }
  assert {
    condition     = aws_cloudwatch_log_group.lambda.retention_in_days == 90
    error_message = "log retention is set."
  }
  assert {
    condition     = aws_sqs_queue.events.visibility_timeout_seconds >= 6 * aws_lambda_function.ingestion.timeout
    error_message = "the visibility timeout covers retries of a batch."
  }
}

run "compute_runner_task" {
  command = apply

  module {
    source = "./modules/compute"
  }

  variables {
    name_prefix                = "cola-analytics"
    image_tag                  = "2026-11-27"
    log_retention_days         = 90
    athena_workgroup_name      = "cola-analytics"
    athena_workgroup_arn       = "arn:aws:athena:eu-central-1:123456789012:workgroup/cola-analytics"
    glue_database_names        = ["raw", "staging", "intermediate", "marts", "seeds"]
    raw_bucket_arn             = "arn:aws:s3:::raw"
    curated_bucket_name        = "curated"
    curated_bucket_arn         = "arn:aws:s3:::curated"
    athena_results_bucket_name = "athena-results"
    athena_results_bucket_arn  = "arn:aws:s3:::athena-results"
    artifacts_bucket_name      = "artifacts"
    artifacts_bucket_arn       = "arn:aws:s3:::artifacts"
    data_kms_key_arn           = "arn:aws:kms:eu-central-1:123456789012:key/data"
    ops_kms_key_arn            = "arn:aws:kms:eu-central-1:123456789012:key/ops"
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.runner.container_definitions)[0].name == "dbt-runner"
    error_message = "the container is dbt-runner."
  }
  assert {
    condition     = endswith(jsondecode(aws_ecs_task_definition.runner.container_definitions)[0].image, ":2026-11-27")
    error_message = "the image tag comes from the variable."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.runner.container_definitions)[0].readonlyRootFilesystem
    error_message = "read-only root filesystem."
  }
  assert {
    condition = toset([for e in jsondecode(aws_ecs_task_definition.runner.container_definitions)[0].environment : e.name]) == toset([
      "COLA_ARTIFACTS_URI", "DBT_TARGET", "COLA_ATHENA_REGION", "COLA_ATHENA_WORKGROUP",
      "COLA_ATHENA_STAGING_DIR", "COLA_ATHENA_DATA_DIR", "COLA_ATHENA_SCHEMA",
    ])
    error_message = "the runner's environment contract."
  }
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.runner.container_definitions)[0].environment : e.name => e.value }["COLA_ARTIFACTS_URI"] == "s3://artifacts/dbt-runs"
    error_message = "artifacts go to s3://<artifacts>/dbt-runs."
  }
  assert {
    condition     = one(aws_ecr_repository.runner.image_scanning_configuration).scan_on_push && aws_ecr_repository.runner.image_tag_mutability == "IMMUTABLE"
    error_message = "images are scanned on push and tags are immutable."
  }
  assert {
    condition     = toset(aws_ecs_cluster_capacity_providers.this.capacity_providers) == toset(["FARGATE", "FARGATE_SPOT"])
    error_message = "Fargate and Fargate Spot."
  }
  assert {
    condition = one([for s in data.aws_iam_policy_document.task.statement : s.resources if s.sid == "ManageTheProjectCatalog"]) == toset(concat(
      ["arn:aws:glue:eu-central-1:123456789012:catalog"],
      [for db in ["raw", "staging", "intermediate", "marts", "seeds"] : "arn:aws:glue:eu-central-1:123456789012:database/${db}"],
      [for db in ["raw", "staging", "intermediate", "marts", "seeds"] : "arn:aws:glue:eu-central-1:123456789012:table/${db}/*"],
    ))
    error_message = "the runner may touch the catalog's project databases and their tables only."
  }
}

run "orchestration_renders_the_definition_and_schedule" {
  command = apply

  module {
    source = "./modules/orchestration"
  }

  variables {
    name_prefix              = "cola-analytics"
    definition_template_path = "../step_function/dbt_build.asl.json"
    alerts_topic_arn         = "arn:aws:sns:eu-central-1:123456789012:cola-analytics-alerts"
    ops_kms_key_arn          = "arn:aws:kms:eu-central-1:123456789012:key/ops"
    data_kms_key_arn         = "arn:aws:kms:eu-central-1:123456789012:key/data"
    cluster_arn              = "arn:aws:ecs:eu-central-1:123456789012:cluster/cola-analytics"
    task_definition_arn      = "arn:aws:ecs:eu-central-1:123456789012:task-definition/cola-analytics-dbt-runner:3"
    container_name           = "dbt-runner"
    task_role_arn            = "arn:aws:iam::123456789012:role/task"
    execution_role_arn       = "arn:aws:iam::123456789012:role/execution"
    runner_log_group_name    = "/cola-analytics/dbt-runner"
    subnet_ids               = ["subnet-1", "subnet-2"]
    security_group_ids       = ["sg-1"]
    artifacts_uri            = "s3://artifacts/dbt-runs"
    raw_bucket_name          = "raw"
    log_retention_days       = 90
    schedule_expression      = "cron(30 4 * * ? *)"
    schedule_timezone        = "Europe/Berlin"
    use_fargate_spot         = false
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.dbt_build.definition).States.RunDbtBuild.Parameters.Cluster == var.cluster_arn
    error_message = "the build runs in the cluster."
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.dbt_build.definition).States.RunDbtBuild.Parameters.TaskDefinition == var.task_definition_arn
    error_message = "the build runs the runner's task definition."
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.dbt_build.definition).States.RunDbtBuild.Parameters.CapacityProviderStrategy[0].CapacityProvider == "FARGATE"
    error_message = "use_fargate_spot = false runs on on-demand Fargate."
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.dbt_build.definition).States.NotifyFailure.Parameters.TopicArn == var.alerts_topic_arn
    error_message = "failures alert the topic."
  }
  assert {
    condition     = aws_scheduler_schedule.dbt_build.schedule_expression == "cron(30 4 * * ? *)" && aws_scheduler_schedule.dbt_build.schedule_expression_timezone == "Europe/Berlin"
    error_message = "the schedule is configurable."
  }
  assert {
    condition     = one(aws_scheduler_schedule.dbt_build.target).arn == aws_sfn_state_machine.dbt_build.arn
    error_message = "the schedule starts the state machine."
  }
  assert {
    condition     = length(aws_cloudwatch_event_rule.new_raw_files) == 0
    error_message = "the new-raw-files trigger is off by default."
  }
  assert {
    condition     = one(aws_sfn_state_machine.dbt_build.logging_configuration).level == "ERROR" && one(aws_sfn_state_machine.dbt_build.tracing_configuration).enabled
    error_message = "execution logging and tracing are on."
  }
  assert {
    condition     = contains(flatten([for s in data.aws_iam_policy_document.state_machine.statement : s.actions]), "states:ListExecutions")
    error_message = "the guard may list executions."
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.dbt_build.definition).States.ReadRunSummary.Parameters.Bucket == "artifacts"
    error_message = "the failure path reads the run summary from the artifacts bucket."
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.dbt_build.definition).States.ReadRunSummary.Parameters["Key.$"] == "States.Format('dbt-runs/{}/runner.json', $.run.run_id)"
    error_message = "the run summary is <prefix>/<run id>/runner.json, where the runner writes it."
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.state_machine.statement : s.resources if s.sid == "ReadRunSummaryForTheAlert"]) == toset(["arn:aws:s3:::artifacts/dbt-runs/*/runner.json"])
    error_message = "the state machine may read the run summaries and nothing else in the artifacts bucket."
  }
}

run "query_workgroup_is_enforced_and_capped" {
  command = apply

  module {
    source = "./modules/query"
  }

  variables {
    name_prefix                    = "cola-analytics"
    results_bucket_name            = "athena-results"
    expected_bucket_owner          = "123456789012"
    kms_key_arn                    = "arn:aws:kms:eu-central-1:123456789012:key/data"
    bytes_scanned_cutoff_per_query = 1073741824
  }

  assert {
    condition     = one(aws_athena_workgroup.this.configuration).enforce_workgroup_configuration
    error_message = "clients cannot override the workgroup's settings."
  }
  assert {
    condition     = one(aws_athena_workgroup.this.configuration).bytes_scanned_cutoff_per_query == 1073741824
    error_message = "the bytes-scanned cutoff comes from the variable."
  }
  assert {
    condition     = one(one(one(aws_athena_workgroup.this.configuration).result_configuration).encryption_configuration).encryption_option == "SSE_KMS"
    error_message = "results are SSE-KMS encrypted."
  }
}

run "alerts_topic_and_alarms" {
  command = apply

  module {
    source = "./modules/alerts"
  }

  variables {
    name_prefix       = "cola-analytics"
    ops_kms_key_arn   = "arn:aws:kms:eu-central-1:123456789012:key/ops"
    dlq_name          = "cola-analytics-ingestion-dlq"
    max_receive_count = 5
    function_name     = "cola-analytics-ingestion"
    state_machine_arn = "arn:aws:states:eu-central-1:123456789012:stateMachine:cola-analytics-dbt-build"
  }

  assert {
    condition     = aws_sns_topic.alerts.kms_master_key_id == var.ops_kms_key_arn
    error_message = "the topic is encrypted."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq_depth.dimensions.QueueName == var.dlq_name
    error_message = "the DLQ depth alarm watches the DLQ."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.build_executions["ExecutionsFailed"].dimensions.StateMachineArn == var.state_machine_arn
    error_message = "failed executions are alarmed."
  }
}
