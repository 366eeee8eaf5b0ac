# The project's buckets, one secure-by-default bucket module each.
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  suffix = "${data.aws_caller_identity.current.account_id}-${data.aws_region.current.name}"

  buckets = {
    # Machines upload CSVs here (any prefix); the ingestion Lambda reads them.
    landing = { archive_after_days = null, expire_after_days = var.landing_expire_after_days }
    # raw/run_reports/ingest_date=YYYY-MM-DD/*.csv and raw/_manifests/: the source of truth.
    raw = { archive_after_days = var.raw_archive_after_days, expire_after_days = null }
    # Files the Lambda rejected, with the reason.
    quarantine = { archive_after_days = null, expire_after_days = null }
    # dbt-athena's tables (staging, intermediate, marts, seeds).
    curated = { archive_after_days = null, expire_after_days = null }
    # Athena query results.
    athena-results = { archive_after_days = null, expire_after_days = var.athena_results_expire_after_days }
    # dbt run artifacts (dbt-runs/<run id>/).
    artifacts = { archive_after_days = null, expire_after_days = var.artifacts_expire_after_days }
  }
}

module "bucket" {
  source   = "../bucket"
  for_each = local.buckets

  name                               = "${var.name_prefix}-${each.key}-${local.suffix}"
  kms_key_arn                        = var.kms_key_arn
  force_destroy                      = var.force_destroy
  manage_lifecycle                   = var.manage_lifecycle
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  archive_after_days                 = each.value.archive_after_days
  archive_storage_class              = var.archive_storage_class
  expire_after_days                  = each.value.expire_after_days
}

# Raw objects emit EventBridge events only when the optional "build after new raw files"
# trigger is on (module orchestration).
resource "aws_s3_bucket_notification" "raw" {
  count       = var.raw_eventbridge_notifications ? 1 : 0
  bucket      = module.bucket["raw"].name
  eventbridge = true
}
