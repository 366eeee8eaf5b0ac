output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "task_definition_arn" {
  description = "ARN (with revision) of the dbt runner task definition."
  value       = aws_ecs_task_definition.runner.arn
}

output "task_definition_family" {
  description = "Family of the dbt runner task definition."
  value       = aws_ecs_task_definition.runner.family
}

output "container_name" {
  description = "Name of the dbt runner container."
  value       = var.container_name
}

output "task_role_arn" {
  description = "ARN of the dbt runner's task role."
  value       = aws_iam_role.task.arn
}

output "execution_role_arn" {
  description = "ARN of the dbt runner's execution role."
  value       = aws_iam_role.execution.arn
}

output "repository_url" {
  description = "URL of the dbt runner's ECR repository (push images here)."
  value       = aws_ecr_repository.runner.repository_url
}

output "log_group_name" {
  description = "Log group of the dbt runner."
  value       = aws_cloudwatch_log_group.runner.name
}

output "artifacts_uri" {
  description = "Where the runner uploads run artifacts (one folder per run id)."
  value       = local.environment.COLA_ARTIFACTS_URI
}
