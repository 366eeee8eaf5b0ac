output "data_key_arn" {
  description = "ARN of the KMS key encrypting data at rest (buckets, ECR, Athena results)."
  value       = aws_kms_key.data.arn
}

output "ops_key_arn" {
  description = "ARN of the KMS key encrypting queues, the alert topic, log groups and the Lambda environment."
  value       = aws_kms_key.ops.arn
}
