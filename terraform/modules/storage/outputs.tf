output "bucket_names" {
  description = "Bucket name per purpose: landing, raw, quarantine, curated, athena-results, artifacts."
  value       = { for key, bucket in module.bucket : key => bucket.name }
}

output "bucket_arns" {
  description = "Bucket ARN per purpose: landing, raw, quarantine, curated, athena-results, artifacts."
  value       = { for key, bucket in module.bucket : key => bucket.arn }
}
