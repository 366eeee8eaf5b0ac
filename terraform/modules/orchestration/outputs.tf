output "state_machine_arn" {
  description = "ARN of the dbt build state machine."
  value       = aws_sfn_state_machine.dbt_build.arn
}

output "state_machine_name" {
  description = "Name of the dbt build state machine."
  value       = aws_sfn_state_machine.dbt_build.name
}

output "definition" {
  description = "The rendered ASL definition."
  value       = local.definition
}

output "role_arn" {
  description = "ARN of the state machine's role."
  value       = aws_iam_role.state_machine.arn
}

output "schedule_name" {
  description = "Name of the EventBridge Scheduler schedule."
  value       = aws_scheduler_schedule.dbt_build.name
}
