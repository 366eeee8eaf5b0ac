output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "subnet_ids" {
  description = "Subnets the dbt runner task runs in."
  value       = aws_subnet.public[*].id
}

output "task_security_group_id" {
  description = "Security group of the dbt runner task."
  value       = aws_security_group.task.id
}
