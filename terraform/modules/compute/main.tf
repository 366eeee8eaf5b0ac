# The dbt runner: ECR repository, ECS cluster (Fargate and Fargate Spot), task definition,
# task role (Athena, Glue, S3, KMS: only the project's) and execution role (ECR pull, logs).
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  family    = "${var.name_prefix}-dbt-runner"

  glue_catalog_arn = "arn:${local.partition}:glue:${local.region}:${local.account}:catalog"
  glue_database_arns = [
    for db in var.glue_database_names : "arn:${local.partition}:glue:${local.region}:${local.account}:database/${db}"
  ]
  glue_table_arns = [
    for db in var.glue_database_names : "arn:${local.partition}:glue:${local.region}:${local.account}:table/${db}/*"
  ]

  environment = {
    COLA_ARTIFACTS_URI      = "s3://${var.artifacts_bucket_name}/dbt-runs"
    DBT_TARGET              = "prod"
    COLA_ATHENA_REGION      = local.region
    COLA_ATHENA_WORKGROUP   = var.athena_workgroup_name
    COLA_ATHENA_STAGING_DIR = "s3://${var.athena_results_bucket_name}/dbt/"
    COLA_ATHENA_DATA_DIR    = "s3://${var.curated_bucket_name}/"
    COLA_ATHENA_SCHEMA      = var.athena_schema
  }
}

resource "aws_ecr_repository" "runner" {
  name                 = "${var.name_prefix}/dbt-runner"
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_destroy

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.data_kms_key_arn
  }
}

resource "aws_ecr_lifecycle_policy" "runner" {
  repository = aws_ecr_repository.runner.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the last ${var.images_to_keep} images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = var.images_to_keep
      }
      action = { type = "expire" }
    }]
  })
}

resource "aws_ecs_cluster" "this" {
  name = var.name_prefix

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = var.use_fargate_spot ? "FARGATE_SPOT" : "FARGATE"
    weight            = 1
  }
}

resource "aws_cloudwatch_log_group" "runner" {
  name              = "/${var.name_prefix}/dbt-runner"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.ops_kms_key_arn
}

data "aws_iam_policy_document" "assume_ecs_tasks" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name_prefix}-dbt-runner-execution"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_tasks.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid = "EcrLogin"
    # GetAuthorizationToken has no resource-level permissions.
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullRunnerImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [aws_ecr_repository.runner.arn]
  }

  statement {
    sid       = "DecryptImageLayers"
    actions   = ["kms:Decrypt"]
    resources = [var.data_kms_key_arn]
  }

  statement {
    sid       = "WriteRunnerLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.runner.arn}:*"]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-and-log"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_iam_role" "task" {
  name               = "${var.name_prefix}-dbt-runner-task"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_tasks.json
}

data "aws_iam_policy_document" "task" {
  statement {
    sid = "RunQueriesInTheProjectWorkgroup"
    actions = [
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:GetWorkGroup",
      "athena:StartQueryExecution",
      "athena:StopQueryExecution",
    ]
    resources = [var.athena_workgroup_arn]
  }

  statement {
    sid = "ManageTheProjectCatalog"
    actions = [
      "glue:BatchCreatePartition",
      "glue:BatchDeletePartition",
      "glue:BatchDeleteTable",
      "glue:BatchDeleteTableVersion",
      "glue:BatchGetPartition",
      "glue:CreateDatabase",
      "glue:CreatePartition",
      "glue:CreateTable",
      "glue:DeleteDatabase",
      "glue:DeletePartition",
      "glue:DeleteTable",
      "glue:DeleteTableVersion",
      "glue:GetDatabase",
      "glue:GetDatabases",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:GetTable",
      "glue:GetTables",
      "glue:GetTableVersion",
      "glue:GetTableVersions",
      "glue:UpdateDatabase",
      "glue:UpdatePartition",
      "glue:UpdateTable",
    ]
    resources = concat([local.glue_catalog_arn], local.glue_database_arns, local.glue_table_arns)
  }

  statement {
    sid       = "ListProjectBuckets"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
    resources = [var.raw_bucket_arn, var.curated_bucket_arn, var.athena_results_bucket_arn, var.artifacts_bucket_arn]
  }

  statement {
    sid       = "ReadRaw"
    actions   = ["s3:GetObject"]
    resources = ["${var.raw_bucket_arn}/raw/*"]
  }

  statement {
    sid = "ReadWriteCuratedAndAthenaResults"
    actions = [
      "s3:AbortMultipartUpload",
      "s3:DeleteObject",
      "s3:GetObject",
      "s3:ListMultipartUploadParts",
      "s3:PutObject",
    ]
    resources = ["${var.curated_bucket_arn}/*", "${var.athena_results_bucket_arn}/*"]
  }

  statement {
    sid       = "UploadRunArtifacts"
    actions   = ["s3:AbortMultipartUpload", "s3:PutObject"]
    resources = ["${var.artifacts_bucket_arn}/dbt-runs/*"]
  }

  statement {
    sid       = "UseTheDataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.data_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "dbt-on-athena"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

resource "aws_ecs_task_definition" "runner" {
  family                   = local.family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.task_cpu_architecture
  }

  # The root filesystem is read-only: the image's HOME and COLA_RUNNER_WORK_DIR (dbt's target/
  # and logs/) are under /tmp, a task-storage volume.
  volume {
    name = "scratch"
  }

  container_definitions = jsonencode([{
    name                   = var.container_name
    image                  = "${aws_ecr_repository.runner.repository_url}:${var.image_tag}"
    essential              = true
    command                = var.default_dbt_command
    memory                 = var.task_memory
    readonlyRootFilesystem = true
    environment            = [for name in sort(keys(local.environment)) : { name = name, value = local.environment[name] }]
    mountPoints            = [{ sourceVolume = "scratch", containerPath = "/tmp", readOnly = false }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.runner.name
        awslogs-region        = local.region
        awslogs-stream-prefix = "dbt"
      }
    }
  }])
}
