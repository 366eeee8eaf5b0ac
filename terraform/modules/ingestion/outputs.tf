output "queue_arn" {
  description = "ARN of the ingestion queue."
  value       = aws_sqs_queue.events.arn
}

output "queue_url" {
  description = "URL of the ingestion queue."
  value       = aws_sqs_queue.events.id
}

output "dlq_arn" {
  description = "ARN of the ingestion dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_name" {
  description = "Name of the ingestion dead-letter queue (for the depth alarm)."
  value       = aws_sqs_queue.dlq.name
}

output "function_name" {
  description = "Name of the ingestion Lambda."
  value       = aws_lambda_function.ingestion.function_name
}

output "function_arn" {
  description = "ARN of the ingestion Lambda."
  value       = aws_lambda_function.ingestion.arn
}

output "role_arn" {
  description = "ARN of the ingestion Lambda's role."
  value       = aws_iam_role.lambda.arn
}
