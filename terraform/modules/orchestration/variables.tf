variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name of the project."
}

variable "definition_template_path" {
  type        = string
  description = "Path of the ASL template (step_function/dbt_build.asl.json)."
}

variable "alerts_topic_arn" {
  type        = string
  description = "ARN of the SNS topic failures (and optional success summaries) are published to."
}

variable "ops_kms_key_arn" {
  type        = string
  description = "ARN of the KMS key of the alert topic and the log group."
}

variable "cluster_arn" {
  type        = string
  description = "ARN of the ECS cluster the runner task runs in."
}

variable "task_definition_arn" {
  type        = string
  description = "ARN (with revision) of the dbt runner task definition."
}

variable "container_name" {
  type        = string
  description = "Name of the dbt runner container whose command and COLA_RUN_ID are overridden."
}

variable "task_role_arn" {
  type        = string
  description = "ARN of the runner's task role (passed to ECS)."
}

variable "execution_role_arn" {
  type        = string
  description = "ARN of the runner's execution role (passed to ECS)."
}

variable "runner_log_group_name" {
  type        = string
  description = "Log group of the runner, named in the failure alert."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Subnets the runner task runs in."
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups of the runner task."
}

variable "assign_public_ip" {
  type        = bool
  description = "Give the runner task a public IP (public subnets without NAT)."
  default     = true
}

variable "use_fargate_spot" {
  type        = bool
  description = "Run builds on Fargate Spot instead of on-demand Fargate."
  default     = true
}

variable "artifacts_uri" {
  type        = string
  description = "s3://<artifacts bucket>/dbt-runs: each run's artifacts are under <artifacts_uri>/<run id>/; a failed build's alert reads <run id>/runner.json there."

  validation {
    condition     = can(regex("^s3://[^/]+/[^/]", var.artifacts_uri))
    error_message = "artifacts_uri must be s3://<bucket>/<prefix>."
  }
}

variable "data_kms_key_arn" {
  type        = string
  description = "ARN of the KMS key of the artifacts bucket (the failure path decrypts runner.json)."
}

variable "default_dbt_command" {
  type        = list(string)
  description = "dbt arguments of scheduled builds and of executions whose input gives none."
  default     = ["build"]
}

variable "notify_on_success" {
  type        = bool
  description = "Publish a short summary to the alert topic after each successful build."
  default     = false
}

variable "build_timeout_seconds" {
  type        = number
  description = "Seconds the runner task may run before the build fails with States.Timeout."
  default     = 10800
}

variable "retry_interval_seconds" {
  type        = number
  description = "First retry delay for transient errors (doubles by retry_backoff_rate, full jitter)."
  default     = 30
}

variable "retry_max_attempts" {
  type        = number
  description = "Retries of a transient error before the build fails."
  default     = 4
}

variable "retry_backoff_rate" {
  type        = number
  description = "Multiplier of the retry delay after each attempt."
  default     = 2
}

variable "retry_max_delay_seconds" {
  type        = number
  description = "Longest delay between two retries."
  default     = 600
}

variable "schedule_expression" {
  type        = string
  description = "EventBridge Scheduler expression of the scheduled build, e.g. cron(0 5 * * ? *)."
  default     = "cron(0 5 * * ? *)"
}

variable "schedule_timezone" {
  type        = string
  description = "Time zone the schedule expression is read in."
  default     = "UTC"
}

variable "schedule_enabled" {
  type        = bool
  description = "Whether the schedule starts builds."
  default     = true
}

variable "build_on_new_raw_files" {
  type        = bool
  description = "Also start a debounced build when new raw run reports arrive (needs the raw bucket's EventBridge notifications)."
  default     = false
}

variable "debounce_seconds" {
  type        = number
  description = "Seconds a build started by new raw files waits for more files before building."
  default     = 900
}

variable "guard_settle_seconds" {
  type        = number
  description = "Seconds an execution waits before the concurrency guard lists the running executions (ListExecutions is eventually consistent)."
  default     = 10

  validation {
    condition     = var.guard_settle_seconds >= 0
    error_message = "guard_settle_seconds cannot be negative."
  }
}

variable "raw_bucket_name" {
  type        = string
  description = "Name of the raw bucket (for the new-raw-files rule)."
}

variable "log_retention_days" {
  type        = number
  description = "Days the state machine's execution logs are kept."
}
