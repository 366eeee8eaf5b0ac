variable "name" {
  type        = string
  description = "Globally unique bucket name."
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of the KMS key for default SSE-KMS encryption."
}

variable "force_destroy" {
  type        = bool
  description = "Allow `terraform destroy` to delete a bucket that still holds objects (test stacks only)."
  default     = false
}

variable "manage_lifecycle" {
  type        = bool
  description = "Create the lifecycle configuration (aborts stale multipart uploads, expires old versions, archives/expires objects)."
  default     = true
}

variable "noncurrent_version_expiration_days" {
  type        = number
  description = "Days a replaced or deleted object version is kept."
  default     = 90
}

variable "archive_after_days" {
  type        = number
  description = "Days after creation to move objects to archive_storage_class; null keeps them in S3 Standard."
  default     = null
}

variable "archive_storage_class" {
  type        = string
  description = "Storage class objects move to after archive_after_days."
  default     = "GLACIER"
}

variable "expire_after_days" {
  type        = number
  description = "Days after creation to delete objects; null keeps them."
  default     = null
}
