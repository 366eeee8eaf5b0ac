# The root only wires the modules together; each module owns one concern.
data "aws_caller_identity" "current" {}

locals {
  lambda_zip_path = startswith(var.lambda_zip_path, "/") ? var.lambda_zip_path : "${path.root}/${var.lambda_zip_path}"
}

module "keys" {
  source      = "./modules/keys"
  name_prefix = var.name_prefix
}

module "storage" {
  source = "./modules/storage"

  name_prefix                   = var.name_prefix
  kms_key_arn                   = module.keys.data_key_arn
  force_destroy                 = var.force_destroy
  manage_lifecycle              = var.manage_lifecycle
  raw_archive_after_days        = var.raw_archive_after_days
  raw_eventbridge_notifications = var.build_on_new_raw_files
}

module "catalog" {
  source = "./modules/catalog"

  raw_bucket_name              = module.storage.bucket_names["raw"]
  curated_bucket_name          = module.storage.bucket_names["curated"]
  ingest_date_projection_start = var.ingest_date_projection_start
  run_reports_header_lines     = var.run_reports_header_lines
}

module "ingestion" {
  source = "./modules/ingestion"

  name_prefix            = var.name_prefix
  landing_bucket_name    = module.storage.bucket_names["landing"]
  landing_bucket_arn     = module.storage.bucket_arns["landing"]
  raw_bucket_name        = module.storage.bucket_names["raw"]
  raw_bucket_arn         = module.storage.bucket_arns["raw"]
  quarantine_bucket_name = module.storage.bucket_names["quarantine"]
  quarantine_bucket_arn  = module.storage.bucket_arns["quarantine"]
  data_kms_key_arn       = module.keys.data_key_arn
  ops_kms_key_arn        = module.keys.ops_key_arn
  lambda_zip_path        = local.lambda_zip_path
  powertools_layer_arn   = var.powertools_layer_arn
  lambda_architecture    = var.lambda_architecture
  log_level              = var.lambda_log_level
  log_retention_days     = var.log_retention_days
  max_receive_count      = var.ingestion_max_receive_count
  restrict_dlq_sources   = var.restrict_dlq_sources
}

module "query" {
  source = "./modules/query"

  name_prefix                    = var.name_prefix
  results_bucket_name            = module.storage.bucket_names["athena-results"]
  expected_bucket_owner          = data.aws_caller_identity.current.account_id
  kms_key_arn                    = module.keys.data_key_arn
  bytes_scanned_cutoff_per_query = var.bytes_scanned_cutoff_per_query
  force_destroy                  = var.force_destroy
}

module "network" {
  source = "./modules/network"

  name_prefix        = var.name_prefix
  cidr_block         = var.vpc_cidr_block
  ops_kms_key_arn    = module.keys.ops_key_arn
  log_retention_days = var.log_retention_days
}

module "compute" {
  source = "./modules/compute"

  name_prefix                = var.name_prefix
  image_tag                  = var.runner_image_tag
  default_dbt_command        = var.default_dbt_command
  task_cpu                   = var.runner_cpu
  task_memory                = var.runner_memory
  use_fargate_spot           = var.use_fargate_spot
  force_destroy              = var.force_destroy
  log_retention_days         = var.log_retention_days
  athena_workgroup_name      = module.query.workgroup_name
  athena_workgroup_arn       = module.query.workgroup_arn
  glue_database_names        = module.catalog.database_names
  raw_bucket_arn             = module.storage.bucket_arns["raw"]
  curated_bucket_name        = module.storage.bucket_names["curated"]
  curated_bucket_arn         = module.storage.bucket_arns["curated"]
  athena_results_bucket_name = module.storage.bucket_names["athena-results"]
  athena_results_bucket_arn  = module.storage.bucket_arns["athena-results"]
  artifacts_bucket_name      = module.storage.bucket_names["artifacts"]
  artifacts_bucket_arn       = module.storage.bucket_arns["artifacts"]
  data_kms_key_arn           = module.keys.data_key_arn
  ops_kms_key_arn            = module.keys.ops_key_arn
}

module "alerts" {
  source = "./modules/alerts"

  name_prefix       = var.name_prefix
  ops_kms_key_arn   = module.keys.ops_key_arn
  alert_emails      = var.alert_emails
  dlq_name          = module.ingestion.dlq_name
  max_receive_count = var.ingestion_max_receive_count
  function_name     = module.ingestion.function_name
  state_machine_arn = module.orchestration.state_machine_arn
}

module "orchestration" {
  source = "./modules/orchestration"

  name_prefix              = var.name_prefix
  definition_template_path = "${path.module}/../step_function/dbt_build.asl.json"
  alerts_topic_arn         = module.alerts.topic_arn
  ops_kms_key_arn          = module.keys.ops_key_arn
  data_kms_key_arn         = module.keys.data_key_arn
  cluster_arn              = module.compute.cluster_arn
  task_definition_arn      = module.compute.task_definition_arn
  container_name           = module.compute.container_name
  task_role_arn            = module.compute.task_role_arn
  execution_role_arn       = module.compute.execution_role_arn
  runner_log_group_name    = module.compute.log_group_name
  subnet_ids               = module.network.subnet_ids
  security_group_ids       = [module.network.task_security_group_id]
  use_fargate_spot         = var.use_fargate_spot
  artifacts_uri            = module.compute.artifacts_uri
  default_dbt_command      = var.default_dbt_command
  notify_on_success        = var.notify_on_success
  build_timeout_seconds    = var.build_timeout_seconds
  retry_interval_seconds   = var.retry_interval_seconds
  retry_max_attempts       = var.retry_max_attempts
  retry_max_delay_seconds  = var.retry_max_delay_seconds
  schedule_expression      = var.schedule_expression
  schedule_timezone        = var.schedule_timezone
  schedule_enabled         = var.schedule_enabled
  build_on_new_raw_files   = var.build_on_new_raw_files
  debounce_seconds         = var.debounce_seconds
  raw_bucket_name          = module.storage.bucket_names["raw"]
  log_retention_days       = var.log_retention_days
}

module "replication" {
  source = "./modules/replication"
  count  = var.enable_raw_replication ? 1 : 0

  providers = {
    aws         = aws
    aws.replica = aws.replica
  }

  name_prefix        = var.name_prefix
  source_bucket_name = module.storage.bucket_names["raw"]
  source_bucket_arn  = module.storage.bucket_arns["raw"]
  source_kms_key_arn = module.keys.data_key_arn
}
