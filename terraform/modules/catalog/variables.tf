variable "raw_bucket_name" {
  type        = string
  description = "Name of the raw bucket (the table reads s3://<raw>/raw/run_reports/)."
}

variable "curated_bucket_name" {
  type        = string
  description = "Name of the curated bucket holding the dbt schemas' data."
}

variable "raw_database_name" {
  type        = string
  description = "Glue database of the raw table (the dbt source's schema)."
  default     = "raw"
}

variable "dbt_schemas" {
  type        = list(string)
  description = "Glue databases dbt-athena writes to."
  default     = ["staging", "intermediate", "marts", "seeds"]
}

variable "ingest_date_projection_start" {
  type        = string
  description = "First ingest_date (yyyy-MM-dd) the partition projection covers."

  validation {
    condition     = can(regex("^\\d{4}-\\d{2}-\\d{2}$", var.ingest_date_projection_start))
    error_message = "ingest_date_projection_start must be yyyy-MM-dd."
  }
}

variable "run_reports_header_lines" {
  type        = number
  description = "Header lines Athena skips at the top of each raw CSV (skip.header.line.count)."
  default     = 0
}
