output "bucket_names" {
  description = "Bucket name per purpose."
  value       = module.storage.bucket_names
}

output "ingestion_queue_url" {
  description = "URL of the queue between the landing bucket and the ingestion Lambda."
  value       = module.ingestion.queue_url
}

output "ingestion_function_name" {
  description = "Name of the ingestion Lambda."
  value       = module.ingestion.function_name
}

output "glue_databases" {
  description = "Glue databases (raw and the dbt schemas)."
  value       = module.catalog.database_names
}

output "athena_workgroup" {
  description = "Athena workgroup dbt runs in."
  value       = module.query.workgroup_name
}

output "runner_repository_url" {
  description = "Push the dbt runner image here (tag = runner_image_tag)."
  value       = module.compute.repository_url
}

output "ecs_cluster_arn" {
  description = "ECS cluster of the dbt runner."
  value       = module.compute.cluster_arn
}

output "runner_task_definition_arn" {
  description = "Task definition of the dbt runner."
  value       = module.compute.task_definition_arn
}

output "state_machine_arn" {
  description = "The dbt build state machine."
  value       = module.orchestration.state_machine_arn
}

output "alerts_topic_arn" {
  description = "SNS topic of the alerts."
  value       = module.alerts.topic_arn
}

output "start_build_command" {
  description = "Starts a build on demand."
  value       = "aws stepfunctions start-execution --state-machine-arn ${module.orchestration.state_machine_arn} --input '{\"dbt_command\": [\"build\"]}'"
}
