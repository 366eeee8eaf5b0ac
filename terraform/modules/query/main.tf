# The Athena workgroup dbt runs in: its configuration is enforced (clients cannot override
# the result location or encryption) and each query is cut off past a bytes-scanned limit.
resource "aws_athena_workgroup" "this" {
  name          = var.name_prefix
  description   = "dbt builds of the cola factory analytics"
  force_destroy = var.force_destroy
  state         = "ENABLED"

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location       = "s3://${var.results_bucket_name}/queries/"
      expected_bucket_owner = var.expected_bucket_owner

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }
    }
  }

  # moto needs tags on the workgroup; they also name the project in the billing report.
  tags = { Project = var.name_prefix }
}
