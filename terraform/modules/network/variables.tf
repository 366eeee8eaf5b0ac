variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name of the project."
}

variable "cidr_block" {
  type        = string
  description = "CIDR block of the VPC."
  default     = "10.42.0.0/16"
}

variable "availability_zone_suffixes" {
  type        = list(string)
  description = "Zones (region name + suffix) that get a public subnet each; more zones, more Fargate capacity to draw on."
  default     = ["a", "b"]
}

variable "ops_kms_key_arn" {
  type        = string
  description = "ARN of the KMS key of the flow-log log group."
}

variable "log_retention_days" {
  type        = number
  description = "Days the VPC flow logs are kept."
}
