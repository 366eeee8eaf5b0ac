variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name of the project (also the workgroup's name)."
}

variable "results_bucket_name" {
  type        = string
  description = "Bucket Athena writes query results to."
}

variable "expected_bucket_owner" {
  type        = string
  description = "Account id that must own the results bucket."
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of the KMS key query results are encrypted with."
}

variable "bytes_scanned_cutoff_per_query" {
  type        = number
  description = "Bytes one query may scan before Athena cancels it (cost guard; minimum 10 MB)."
  default     = 10737418240

  validation {
    condition     = var.bytes_scanned_cutoff_per_query >= 10485760
    error_message = "Athena's minimum bytes-scanned cutoff is 10485760 (10 MB)."
  }
}

variable "force_destroy" {
  type        = bool
  description = "Allow `terraform destroy` to delete the workgroup with its saved queries (test stacks only)."
  default     = false
}
