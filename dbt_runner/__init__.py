"""The container entrypoint that runs the dbt project on ECS and ships its artifacts to S3."""
