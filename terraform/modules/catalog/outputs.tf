output "raw_database_name" {
  description = "Glue database holding the raw tables."
  value       = aws_glue_catalog_database.raw.name
}

output "run_reports_table_name" {
  description = "Name of the raw run reports table."
  value       = aws_glue_catalog_table.run_reports.name
}

output "database_names" {
  description = "Every Glue database of the project (raw and the dbt schemas)."
  value       = concat([aws_glue_catalog_database.raw.name], [for db in aws_glue_catalog_database.dbt : db.name])
}
