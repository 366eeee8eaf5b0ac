variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name of the project."
}

variable "landing_bucket_name" {
  type        = string
  description = "Name of the landing bucket whose ObjectCreated events feed the queue."
}

variable "landing_bucket_arn" {
  type        = string
  description = "ARN of the landing bucket."
}

variable "raw_bucket_name" {
  type        = string
  description = "Name of the raw bucket (RAW_BUCKET)."
}

variable "raw_bucket_arn" {
  type        = string
  description = "ARN of the raw bucket."
}

variable "quarantine_bucket_name" {
  type        = string
  description = "Name of the quarantine bucket (QUARANTINE_BUCKET)."
}

variable "quarantine_bucket_arn" {
  type        = string
  description = "ARN of the quarantine bucket."
}

variable "data_kms_key_arn" {
  type        = string
  description = "ARN of the KMS key of the buckets."
}

variable "ops_kms_key_arn" {
  type        = string
  description = "ARN of the KMS key of the queues, the log group and the Lambda environment."
}

variable "lambda_zip_path" {
  type        = string
  description = "Path of the Lambda deployment zip built by `make package`."
}

variable "powertools_layer_arn" {
  type        = string
  description = "ARN of the AWS-managed Powertools for AWS Lambda (Python) layer matching the runtime and architecture."
}

variable "lambda_architecture" {
  type        = string
  description = "Lambda architecture: x86_64 or arm64 (must match the Powertools layer)."
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "lambda_memory_mb" {
  type        = number
  description = "Lambda memory in MB."
  default     = 256
}

variable "lambda_timeout_seconds" {
  type        = number
  description = "Lambda timeout in seconds (a 1 GiB file is streamed once through the readability check); the queue's visibility timeout is six times this."
  default     = 300
}

variable "lambda_reserved_concurrency" {
  type        = number
  description = "Reserved concurrent executions of the Lambda (caps parallel writes to raw)."
  default     = 10
}

variable "log_level" {
  type        = string
  description = "LOG_LEVEL of the Lambda (Powertools)."
  default     = "INFO"
}

variable "log_retention_days" {
  type        = number
  description = "Days the Lambda's logs are kept."
}

variable "restrict_dlq_sources" {
  type        = bool
  description = "Allow only the ingestion queue to use the DLQ (SQS redrive allow policy). Only the moto test stack turns this off."
  default     = true
}

variable "max_receive_count" {
  type        = number
  description = "Receives before a message moves to the dead-letter queue."
  default     = 5
}

variable "batch_size" {
  type        = number
  description = "SQS messages per Lambda invocation."
  default     = 10
}

variable "batching_window_seconds" {
  type        = number
  description = "Seconds the event source mapping waits to fill a batch."
  default     = 5
}
