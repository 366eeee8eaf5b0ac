# Landing bucket -> S3 ObjectCreated -> SQS (with DLQ) -> ingestion Lambda -> raw / quarantine.
# The Lambda zip is built outside Terraform (`make package`).
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  function_name = "${var.name_prefix}-ingestion"
  log_group     = "/aws/lambda/${local.function_name}"
  # SQS must keep a message invisible for longer than the Lambda may run on its batch.
  visibility_timeout_seconds = var.lambda_timeout_seconds * 6
}

resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name_prefix}-ingestion-dlq"
  kms_master_key_id         = var.ops_kms_key_arn
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue" "events" {
  name                       = "${var.name_prefix}-ingestion"
  kms_master_key_id          = var.ops_kms_key_arn
  visibility_timeout_seconds = local.visibility_timeout_seconds
  message_retention_seconds  = 345600
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
}

# Only the ingestion queue may send its failures to the DLQ.
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  count     = var.restrict_dlq_sources ? 1 : 0
  queue_url = aws_sqs_queue.dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.events.arn]
  })
}

data "aws_iam_policy_document" "queue" {
  statement {
    sid       = "LandingBucketSendsObjectCreated"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.events.arn]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [var.landing_bucket_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sqs_queue_policy" "events" {
  queue_url = aws_sqs_queue.events.id
  policy    = data.aws_iam_policy_document.queue.json
}

resource "aws_s3_bucket_notification" "landing" {
  bucket = var.landing_bucket_name

  queue {
    id        = "landing-object-created"
    queue_arn = aws_sqs_queue.events.arn
    events    = ["s3:ObjectCreated:*"]
  }

  depends_on = [aws_sqs_queue_policy.events]
}

resource "aws_cloudwatch_log_group" "lambda" {
  name              = local.log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = var.ops_kms_key_arn
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "lambda" {
  name               = "${var.name_prefix}-ingestion-lambda"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "lambda" {
  statement {
    sid       = "ReadLandedFiles"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.landing_bucket_arn}/*"]
  }

  # Raw and quarantine: server-side (multipart) copies of the landed file, JSON manifests and
  # reasons; a manifest is read first to skip files landed before (GetObject, HeadObject).
  statement {
    sid       = "WriteRawAndQuarantine"
    actions   = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]
    resources = ["${var.raw_bucket_arn}/raw/*", "${var.quarantine_bucket_arn}/quarantine/*"]
  }

  statement {
    sid     = "MissingObjectIs404Not403"
    actions = ["s3:ListBucket"]
    # No s3:prefix condition: a HeadObject/GetObject request carries no prefix, so a
    # conditioned grant would not turn the 403 into a 404 (a missing source object or
    # manifest must read as "not found", not as "access denied").
    resources = [var.landing_bucket_arn, var.raw_bucket_arn, var.quarantine_bucket_arn]
  }

  statement {
    sid       = "UseBucketAndQueueKeys"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.data_kms_key_arn, var.ops_kms_key_arn]
  }

  statement {
    sid       = "ConsumeIngestionQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    resources = [aws_sqs_queue.events.arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.lambda.arn}:*"]
  }

  statement {
    sid = "XRayTracing"
    # X-Ray has no resource-level permissions for these two actions.
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "lambda" {
  name   = "ingestion"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.lambda.json
}

resource "aws_lambda_function" "ingestion" {
  #checkov:skip=CKV_AWS_116:Failed events are dead-lettered by the SQS source queue's redrive policy (maxReceiveCount), the documented pattern for SQS-triggered functions.
  #checkov:skip=CKV_AWS_117:The function only talks to S3, SQS, KMS and CloudWatch over their public TLS endpoints; a VPC would add NAT or endpoint cost and no isolation benefit here.
  #checkov:skip=CKV_AWS_272:Code signing needs AWS Signer profiles; the zip is built and checked by this repository's CI.
  function_name                  = local.function_name
  description                    = "Validates landed run-report CSVs and writes them to raw (or quarantine)."
  role                           = aws_iam_role.lambda.arn
  runtime                        = "python3.12"
  handler                        = "ingestion_lambda.handler.handler"
  filename                       = var.lambda_zip_path
  source_code_hash               = fileexists(var.lambda_zip_path) ? filebase64sha256(var.lambda_zip_path) : null
  layers                         = [var.powertools_layer_arn]
  architectures                  = [var.lambda_architecture]
  memory_size                    = var.lambda_memory_mb
  timeout                        = var.lambda_timeout_seconds
  reserved_concurrent_executions = var.lambda_reserved_concurrency
  kms_key_arn                    = var.ops_kms_key_arn

  environment {
    variables = {
      RAW_BUCKET              = var.raw_bucket_name
      QUARANTINE_BUCKET       = var.quarantine_bucket_name
      POWERTOOLS_SERVICE_NAME = "ingestion"
      LOG_LEVEL               = var.log_level
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.lambda.name
  }

  tracing_config {
    mode = "Active"
  }

  lifecycle {
    precondition {
      condition     = fileexists(var.lambda_zip_path)
      error_message = "The Lambda zip ${var.lambda_zip_path} does not exist: build it with `make package` first."
    }
  }

  depends_on = [aws_iam_role_policy.lambda]
}

resource "aws_lambda_event_source_mapping" "queue" {
  event_source_arn                   = aws_sqs_queue.events.arn
  function_name                      = aws_lambda_function.ingestion.arn
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]
}
