# Mocked answers for the replica region's provider (module replication).
mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:root", user_id = "AIDMOCK" }
}
mock_data "aws_region" {
  defaults = { name = "eu-west-1", description = "Europe (Ireland)", endpoint = "ec2.eu-west-1.amazonaws.com" }
}
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
