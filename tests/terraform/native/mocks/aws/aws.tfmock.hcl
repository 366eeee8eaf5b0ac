# Mocked AWS answers shared by the native tests: ids and ARNs the wiring refers to.
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
