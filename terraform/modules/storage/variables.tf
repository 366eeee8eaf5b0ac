variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name of the project."
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of the KMS key every bucket is encrypted with (SSE-KMS)."
}

variable "force_destroy" {
  type        = bool
  description = "Allow `terraform destroy` to delete non-empty buckets (test stacks only)."
  default     = false
}

variable "manage_lifecycle" {
  type        = bool
  description = "Create the buckets' lifecycle configurations (archiving, expiry). Off only for the moto test stack, where each costs ~55 s."
  default     = true
}

variable "noncurrent_version_expiration_days" {
  type        = number
  description = "Days a replaced or deleted object version is kept, in every bucket."
  default     = 90
}

variable "raw_archive_after_days" {
  type        = number
  description = "Days after which raw objects move to archive_storage_class; null never archives."
  default     = 365
}

variable "archive_storage_class" {
  type        = string
  description = "Storage class raw objects are archived to."
  default     = "GLACIER"
}

variable "landing_expire_after_days" {
  type        = number
  description = "Days uploaded files stay in the landing bucket after ingestion copied them to raw; null keeps them."
  default     = 30
}

variable "athena_results_expire_after_days" {
  type        = number
  description = "Days Athena query results are kept."
  default     = 7
}

variable "artifacts_expire_after_days" {
  type        = number
  description = "Days dbt run artifacts are kept; null keeps them."
  default     = 180
}

variable "raw_eventbridge_notifications" {
  type        = bool
  description = "Send the raw bucket's object events to EventBridge (needed by the build-after-new-raw-files trigger)."
  default     = false
}
