# Optional cross-region replication of the raw bucket (the project's source of truth) to a
# bucket in another region, encrypted with a key of that region.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

data "aws_region" "replica" {
  provider = aws.replica
}

data "aws_iam_policy_document" "replica_key" {
  #checkov:skip=CKV_AWS_109:Key policy: "*" is this key; the account root delegates to IAM policies, which grant per-role key use.
  #checkov:skip=CKV_AWS_111:Key policy: "*" is this key; the account root delegates to IAM policies, which grant per-role key use.
  #checkov:skip=CKV_AWS_356:Key policy: "*" is this key, the only resource a key policy can name.
  statement {
    sid = "AccountAdministersAndDelegatesThroughIam"
    actions = [
      "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:CreateGrant", "kms:Decrypt", "kms:DeleteAlias",
      "kms:DescribeKey", "kms:DisableKey", "kms:EnableKey", "kms:EnableKeyRotation", "kms:Encrypt",
      "kms:GenerateDataKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListGrants",
      "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:RevokeGrant", "kms:ScheduleKeyDeletion",
      "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
    ]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "replica" {
  provider                = aws.replica
  description             = "${var.name_prefix}: replica of the raw bucket"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.replica_key.json
}

module "destination" {
  source    = "../bucket"
  providers = { aws = aws.replica }

  name                               = "${var.name_prefix}-raw-replica-${data.aws_caller_identity.current.account_id}-${data.aws_region.replica.name}"
  kms_key_arn                        = aws_kms_key.replica.arn
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  archive_after_days                 = var.archive_after_days
}

data "aws_iam_policy_document" "assume_s3" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "replication" {
  name               = "${var.name_prefix}-raw-replication"
  assume_role_policy = data.aws_iam_policy_document.assume_s3.json
}

data "aws_iam_policy_document" "replication" {
  statement {
    sid       = "ReadSourceConfiguration"
    actions   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
    resources = [var.source_bucket_arn]
  }
  statement {
    sid       = "ReadSourceVersions"
    actions   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"]
    resources = ["${var.source_bucket_arn}/*"]
  }
  statement {
    sid       = "WriteReplicas"
    actions   = ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]
    resources = ["${module.destination.arn}/*"]
  }
  statement {
    sid       = "DecryptSource"
    actions   = ["kms:Decrypt"]
    resources = [var.source_kms_key_arn]
  }
  statement {
    sid       = "EncryptReplicas"
    actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.replica.arn]
  }
}

resource "aws_iam_role_policy" "replication" {
  name   = "replicate-raw"
  role   = aws_iam_role.replication.id
  policy = data.aws_iam_policy_document.replication.json
}

resource "aws_s3_bucket_replication_configuration" "raw" {
  bucket = var.source_bucket_name
  role   = aws_iam_role.replication.arn

  rule {
    id     = "raw-to-replica"
    status = "Enabled"
    filter {}

    delete_marker_replication {
      status = "Enabled"
    }

    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }

    destination {
      bucket        = module.destination.arn
      storage_class = var.replica_storage_class
      encryption_configuration {
        replica_kms_key_id = aws_kms_key.replica.arn
      }
    }
  }

  depends_on = [aws_iam_role_policy.replication]
}
