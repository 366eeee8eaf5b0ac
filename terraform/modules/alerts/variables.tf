variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name of the project."
}

variable "ops_kms_key_arn" {
  type        = string
  description = "ARN of the KMS key the topic is encrypted with."
}

variable "alert_emails" {
  type        = list(string)
  description = "Email addresses subscribed to the alert topic (each must confirm)."
  default     = []
}

variable "dlq_name" {
  type        = string
  description = "Name of the ingestion dead-letter queue."
}

variable "max_receive_count" {
  type        = number
  description = "Receives before a message is dead-lettered (for the alarm's description)."
}

variable "function_name" {
  type        = string
  description = "Name of the ingestion Lambda."
}

variable "state_machine_arn" {
  type        = string
  description = "ARN of the dbt build state machine."
}
