# Customer-managed KMS keys: `data` encrypts every bucket, the ECR repository and the Athena
# results; `ops` encrypts queues, the alert topic, log groups and the Lambda's environment.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_root = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"

  # The account administers and uses the keys through IAM policies (no "kms:*").
  key_admin_actions = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:Encrypt",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
  ]
}

data "aws_iam_policy_document" "data" {
  #checkov:skip=CKV_AWS_109:Key policy: "*" is this key; the account root delegates to IAM policies, which grant per-role key use.
  #checkov:skip=CKV_AWS_111:Key policy: "*" is this key; the account root delegates to IAM policies, which grant per-role key use.
  #checkov:skip=CKV_AWS_356:Key policy: "*" is this key, the only resource a key policy can name.
  statement {
    sid       = "AccountAdministersAndDelegatesThroughIam"
    actions   = local.key_admin_actions
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }
}

data "aws_iam_policy_document" "ops" {
  #checkov:skip=CKV_AWS_109:Key policy: "*" is this key; the account root delegates to IAM policies, which grant per-role key use.
  #checkov:skip=CKV_AWS_111:Key policy: "*" is this key; the account root delegates to IAM policies, which grant per-role key use.
  #checkov:skip=CKV_AWS_356:Key policy: "*" is this key, the only resource a key policy can name.
  statement {
    sid       = "AccountAdministersAndDelegatesThroughIam"
    actions   = local.key_admin_actions
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncryptsProjectLogGroups"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.name}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:*"]
    }
  }

  statement {
    sid       = "S3AndCloudWatchSendToEncryptedQueuesAndTopics"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_kms_key" "data" {
  description             = "${var.name_prefix}: data at rest (S3 buckets, ECR, Athena results)"
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.data.json
}

resource "aws_kms_alias" "data" {
  name          = "alias/${var.name_prefix}-data"
  target_key_id = aws_kms_key.data.key_id
}

resource "aws_kms_key" "ops" {
  description             = "${var.name_prefix}: operations (SQS, SNS, CloudWatch Logs, Lambda environment)"
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.ops.json
}

resource "aws_kms_alias" "ops" {
  name          = "alias/${var.name_prefix}-ops"
  target_key_id = aws_kms_key.ops.key_id
}
