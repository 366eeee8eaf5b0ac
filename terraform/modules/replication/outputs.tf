output "replica_bucket_arn" {
  description = "ARN of the replica bucket."
  value       = module.destination.arn
}
