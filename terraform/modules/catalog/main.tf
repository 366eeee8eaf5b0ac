# Glue Data Catalog: database `raw` with the run_reports table over the raw CSVs (partition
# projection on ingest_date, so no crawler and no MSCK REPAIR), and one database per dbt schema.
locals {
  raw_location = "s3://${var.raw_bucket_name}/raw/run_reports/"

  # Contract with the dbt source dbt_project/models/staging/factory/_factory__sources.yml
  # (tests/terraform/test_tf_catalog_contract.py checks that they agree).
  run_reports_columns = ["id", "type", "time", "branch_id", "machine_id", "extra_fields"]

  # Every line matches; a missing field is NULL; group 6 keeps whatever follows a 5th comma,
  # so rows with too many fields are detectable downstream.
  run_reports_regex = "^([^,]*)(?:,([^,]*))?(?:,([^,]*))?(?:,([^,]*))?(?:,([^,]*))?(,.*)?$"
}

resource "aws_glue_catalog_database" "raw" {
  name        = var.raw_database_name
  description = "Raw machine run reports as landed by the ingestion Lambda."
}

resource "aws_glue_catalog_database" "dbt" {
  for_each = toset(var.dbt_schemas)

  name         = each.value
  description  = "dbt-athena schema ${each.value}."
  location_uri = "s3://${var.curated_bucket_name}/${each.value}/"
}

resource "aws_glue_catalog_table" "run_reports" {
  name          = "run_reports"
  database_name = aws_glue_catalog_database.raw.name
  description   = "Machine start/stop reports, one CSV line each, as received."
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    "EXTERNAL"                             = "TRUE"
    "classification"                       = "csv"
    "skip.header.line.count"               = tostring(var.run_reports_header_lines)
    "projection.enabled"                   = "true"
    "projection.ingest_date.type"          = "date"
    "projection.ingest_date.format"        = "yyyy-MM-dd"
    "projection.ingest_date.range"         = "${var.ingest_date_projection_start},NOW"
    "projection.ingest_date.interval"      = "1"
    "projection.ingest_date.interval.unit" = "DAYS"
    "storage.location.template"            = "${local.raw_location}ingest_date=$${ingest_date}/"
  }

  partition_keys {
    name    = "ingest_date"
    type    = "string"
    comment = "Day the file was ingested (UTC), yyyy-MM-dd."
  }

  storage_descriptor {
    location      = local.raw_location
    input_format  = "org.apache.hadoop.mapred.TextInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

    ser_de_info {
      name                  = "run_reports_regex"
      serialization_library = "org.apache.hadoop.hive.serde2.RegexSerDe"
      parameters = {
        "input.regex" = local.run_reports_regex
      }
    }

    dynamic "columns" {
      for_each = local.run_reports_columns
      content {
        name = columns.value
        type = "string"
      }
    }
  }
}
