variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name of the project."
}

variable "container_name" {
  type        = string
  description = "Name of the dbt runner container (the state machine overrides its command)."
  default     = "dbt-runner"
}

variable "image_tag" {
  type        = string
  description = "Tag of the dbt runner image in the project's ECR repository."
}

variable "default_dbt_command" {
  type        = list(string)
  description = "dbt arguments the container runs when the execution gives none."
  default     = ["build"]
}

variable "task_cpu" {
  type        = number
  description = "Fargate task CPU units (1024 = 1 vCPU)."
  default     = 1024
}

variable "task_memory" {
  type        = number
  description = "Fargate task memory in MiB."
  default     = 2048
}

variable "task_cpu_architecture" {
  type        = string
  description = "CPU architecture of the runner image: X86_64 or ARM64."
  default     = "X86_64"
}

variable "use_fargate_spot" {
  type        = bool
  description = "Run the dbt runner on Fargate Spot (about 70 % cheaper, may be interrupted) instead of on-demand Fargate."
  default     = true
}

variable "images_to_keep" {
  type        = number
  description = "Images the ECR lifecycle policy keeps."
  default     = 20
}

variable "force_destroy" {
  type        = bool
  description = "Allow `terraform destroy` to delete the ECR repository with its images (test stacks only)."
  default     = false
}

variable "log_retention_days" {
  type        = number
  description = "Days the runner's logs are kept."
}

variable "athena_workgroup_name" {
  type        = string
  description = "Athena workgroup dbt runs its queries in (COLA_ATHENA_WORKGROUP)."
}

variable "athena_workgroup_arn" {
  type        = string
  description = "ARN of that workgroup."
}

variable "athena_schema" {
  type        = string
  description = "Default dbt schema (COLA_ATHENA_SCHEMA)."
  default     = "marts"
}

variable "glue_database_names" {
  type        = list(string)
  description = "Glue databases the runner may read and change (raw and the dbt schemas)."
}

variable "raw_bucket_arn" {
  type        = string
  description = "ARN of the raw bucket (read)."
}

variable "curated_bucket_name" {
  type        = string
  description = "Name of the curated bucket (COLA_ATHENA_DATA_DIR)."
}

variable "curated_bucket_arn" {
  type        = string
  description = "ARN of the curated bucket (read/write)."
}

variable "athena_results_bucket_name" {
  type        = string
  description = "Name of the Athena results bucket (COLA_ATHENA_STAGING_DIR)."
}

variable "athena_results_bucket_arn" {
  type        = string
  description = "ARN of the Athena results bucket (read/write)."
}

variable "artifacts_bucket_name" {
  type        = string
  description = "Name of the artifacts bucket (COLA_ARTIFACTS_URI)."
}

variable "artifacts_bucket_arn" {
  type        = string
  description = "ARN of the artifacts bucket (write)."
}

variable "data_kms_key_arn" {
  type        = string
  description = "ARN of the KMS key of the buckets and the ECR repository."
}

variable "ops_kms_key_arn" {
  type        = string
  description = "ARN of the KMS key of the runner's log group."
}
