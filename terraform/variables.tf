# --- where and what -------------------------------------------------------------------------
variable "region" {
  type        = string
  description = "AWS region of the stack."
  default     = "eu-central-1"
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name (lower case, digits and dashes; bucket names add account id and region)."
  default     = "cola-analytics"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name_prefix))
    error_message = "name_prefix must be 2-21 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags on every resource (Project and ManagedBy are always set)."
  default     = {}
}

variable "force_destroy" {
  type        = bool
  description = "Let `terraform destroy` delete non-empty buckets, the ECR repository and the workgroup. Test stacks only."
  default     = false
}

variable "log_retention_days" {
  type        = number
  description = "Days every log group (Lambda, runner, state machine, VPC flow logs) keeps its logs."
  default     = 365
}

# --- ingestion ------------------------------------------------------------------------------
variable "lambda_zip_path" {
  type        = string
  description = "The ingestion Lambda's zip, built outside Terraform by `make package`; relative paths are relative to this folder."
  default     = "../dist/ingestion_lambda.zip"
}

variable "powertools_layer_arn" {
  type        = string
  description = "ARN of the AWS-managed Powertools for AWS Lambda (Python) v3 layer for python3.12 and lambda_architecture in var.region."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\\d{12}:layer:[A-Za-z0-9_-]+:\\d+$", var.powertools_layer_arn))
    error_message = "powertools_layer_arn must be a Lambda layer version ARN."
  }
}

variable "lambda_architecture" {
  type        = string
  description = "Architecture of the ingestion Lambda: x86_64 or arm64 (must match the Powertools layer)."
  default     = "x86_64"
}

variable "lambda_log_level" {
  type        = string
  description = "LOG_LEVEL of the ingestion Lambda."
  default     = "INFO"
}

variable "restrict_dlq_sources" {
  type        = bool
  description = "Allow only the ingestion queue to use its DLQ (SQS redrive allow policy). Only the moto test stack turns this off."
  default     = true
}

variable "ingestion_max_receive_count" {
  type        = number
  description = "Times a landed file's event is tried before it moves to the dead-letter queue."
  default     = 5
}

# --- catalog and query ----------------------------------------------------------------------
variable "ingest_date_projection_start" {
  type        = string
  description = "First ingest_date (yyyy-MM-dd) the raw table's partition projection covers."
  default     = "2024-01-01"
}

variable "run_reports_header_lines" {
  type        = number
  description = "Header lines Athena skips at the top of each raw CSV."
  default     = 0
}

variable "bytes_scanned_cutoff_per_query" {
  type        = number
  description = "Bytes one Athena query may scan before it is cancelled (cost guard)."
  default     = 10737418240
}

# --- dbt runner -----------------------------------------------------------------------------
variable "runner_image_tag" {
  type        = string
  description = "Tag of the dbt runner image in the project's ECR repository (tags are immutable)."
  default     = "latest"
}

variable "runner_cpu" {
  type        = number
  description = "Fargate CPU units of the dbt runner (1024 = 1 vCPU)."
  default     = 1024
}

variable "runner_memory" {
  type        = number
  description = "Fargate memory (MiB) of the dbt runner."
  default     = 2048
}

variable "use_fargate_spot" {
  type        = bool
  description = "Cost: run builds on Fargate Spot (cheaper, may be interrupted: the build then fails, alerts, and the next run rebuilds)."
  default     = true
}

variable "vpc_cidr_block" {
  type        = string
  description = "CIDR block of the dbt runner's VPC."
  default     = "10.42.0.0/16"
}

variable "default_dbt_command" {
  type        = list(string)
  description = "dbt arguments of scheduled builds and of on-demand executions that give none."
  default     = ["build"]
}

# --- orchestration and alerts ---------------------------------------------------------------
variable "schedule_expression" {
  type        = string
  description = "When the scheduled build runs (EventBridge Scheduler expression)."
  default     = "cron(0 5 * * ? *)"
}

variable "schedule_timezone" {
  type        = string
  description = "Time zone of schedule_expression."
  default     = "UTC"
}

variable "schedule_enabled" {
  type        = bool
  description = "Whether the schedule starts builds."
  default     = true
}

variable "build_on_new_raw_files" {
  type        = bool
  description = "Also start a build when new raw run reports arrive, debounced by debounce_seconds."
  default     = false
}

variable "debounce_seconds" {
  type        = number
  description = "Seconds a build started by new raw files waits for more files."
  default     = 900
}

variable "build_timeout_seconds" {
  type        = number
  description = "Seconds a dbt build may run before it fails."
  default     = 10800
}

variable "retry_interval_seconds" {
  type        = number
  description = "First delay before retrying a transient ECS/API error (then x2, full jitter)."
  default     = 30
}

variable "retry_max_attempts" {
  type        = number
  description = "Retries of a transient error."
  default     = 4
}

variable "retry_max_delay_seconds" {
  type        = number
  description = "Longest delay between two retries."
  default     = 600
}

variable "notify_on_success" {
  type        = bool
  description = "Publish a short summary to the alert topic after each successful build."
  default     = false
}

variable "alert_emails" {
  type        = list(string)
  description = "Email addresses subscribed to the alert topic."
  default     = []
}

# --- archiving and replication --------------------------------------------------------------
variable "manage_lifecycle" {
  type        = bool
  description = "Create the buckets' lifecycle rules (archiving, expiry, multipart clean-up). Only the moto test stack turns this off."
  default     = true
}

variable "raw_archive_after_days" {
  type        = number
  description = "Archiving: days after which raw objects move to Glacier; null never archives."
  default     = 365
}

variable "enable_raw_replication" {
  type        = bool
  description = "Replicate the raw bucket to replica_region (module replication)."
  default     = false
}

variable "replica_region" {
  type        = string
  description = "Region of the raw replica."
  default     = "eu-west-1"
}
