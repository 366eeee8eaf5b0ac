variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name of the project."
}

variable "source_bucket_name" {
  type        = string
  description = "Name of the raw bucket (versioned) to replicate."
}

variable "source_bucket_arn" {
  type        = string
  description = "ARN of the raw bucket."
}

variable "source_kms_key_arn" {
  type        = string
  description = "ARN of the KMS key the raw objects are encrypted with."
}

variable "replica_storage_class" {
  type        = string
  description = "Storage class of the replicated objects."
  default     = "STANDARD_IA"
}

variable "noncurrent_version_expiration_days" {
  type        = number
  description = "Days a replaced replica version is kept."
  default     = 90
}

variable "archive_after_days" {
  type        = number
  description = "Days after which replicas move to Glacier; null never archives."
  default     = null
}
