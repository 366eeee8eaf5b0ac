variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name of the project."
}

variable "deletion_window_in_days" {
  type        = number
  description = "Days a scheduled key deletion waits before the key is gone (7-30)."
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}
