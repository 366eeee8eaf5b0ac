# Native Terraform tests (`terraform test`, offline): every AWS call is mocked, so these check
# the wiring and the security defaults of what the configuration would create.
# Run by tests/terraform/test_tf_native.py with -var lambda_zip_path=<a built zip>.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:root", user_id = "AIDMOCK" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-central-1", description = "Europe (Frankfurt)", endpoint = "ec2.eu-central-1.amazonaws.com" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com", reverse_dns_prefix = "com.amazonaws", id = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_ecs_cluster" {
    defaults = { arn = "arn:aws:ecs:eu-central-1:123456789012:cluster/cola-analytics" }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:eu-central-1:123456789012:task-definition/cola-analytics-dbt-runner:3" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mocked" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-central-1:123456789012:cola-analytics-alerts" }
  }
  mock_resource "aws_sfn_state_machine" {
    defaults = { arn = "arn:aws:states:eu-central-1:123456789012:stateMachine:cola-analytics-dbt-build" }
  }
  mock_resource "aws_ecr_repository" {
    defaults = {
      arn            = "arn:aws:ecr:eu-central-1:123456789012:repository/cola-analytics/dbt-runner"
      repository_url = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/cola-analytics/dbt-runner"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-central-1:123456789012:log-group:mocked" }
  }
  mock_resource "aws_athena_workgroup" {
    defaults = { arn = "arn:aws:athena:eu-central-1:123456789012:workgroup/cola-analytics" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::mocked-bucket" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-central-1:123456789012:mocked", url = "https://sqs.eu-central-1.amazonaws.com/123456789012/mocked" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:eu-central-1:123456789012:function:cola-analytics-ingestion" }
  }
}

# The replica region's provider (module replication): mocked too, so nothing reaches AWS.
mock_provider "aws" {
  alias = "replica"
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:root", user_id = "AIDMOCK" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1", description = "Europe (Ireland)", endpoint = "ec2.eu-west-1.amazonaws.com" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  powertools_layer_arn = "arn:aws:lambda:eu-central-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:18"
}

run "root_wires_the_modules" {
  command = apply

  assert {
    condition     = toset(keys(output.bucket_names)) == toset(["landing", "raw", "quarantine", "curated", "athena-results", "artifacts"])
    error_message = "storage must create the six buckets."
  }

  assert {
    condition     = output.bucket_names["raw"] == "cola-analytics-raw-123456789012-eu-central-1"
    error_message = "bucket names are <prefix>-<purpose>-<account>-<region>."
  }

  assert {
    condition     = toset(output.glue_databases) == toset(["raw", "staging", "intermediate", "marts", "seeds"])
    error_message = "the catalog holds raw and dbt's schemas."
  }

  assert {
    condition     = strcontains(output.start_build_command, output.state_machine_arn)
    error_message = "the on-demand command starts the state machine."
  }

  # The runner reads its workgroup and buckets from the environment the compute module sets.
  assert {
    condition     = output.athena_workgroup == "cola-analytics"
    error_message = "the workgroup is named after the prefix."
  }

  # Replication is an opt-in module.
  assert {
    condition     = length(module.replication) == 0
    error_message = "replication is off by default."
  }
}

run "replication_is_a_module_away" {
  command = plan

  variables {
    enable_raw_replication = true
    replica_region         = "eu-west-1"
  }

  assert {
    condition     = length(module.replication) == 1
    error_message = "enable_raw_replication adds the replication module."
  }
}
