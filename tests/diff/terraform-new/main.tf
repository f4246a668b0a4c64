# A hand-written module, not Palisade's: several files, variables, locals,
# count, data sources and every common way to write a policy.

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

locals {
  name = "uploads-${var.region}"
}

resource "aws_kms_key" "data" {
  description         = "uploads data key"
  enable_key_rotation = false
}

resource "aws_lambda_function" "worker" {
  #checkov:skip=CKV_AWS_116:a synchronous worker has no dead-letter queue
  function_name = "worker"
  role          = aws_iam_role.worker.arn
  handler       = "main.handler"
  runtime       = "python3.12"
  filename      = "${path.module}/worker.zip"
  memory_size   = 512
}

resource "aws_lambda_function_url" "worker" {
  function_name      = aws_lambda_function.worker.function_name
  authorization_type = "NONE"
}

resource "aws_lambda_permission" "from_uploads" {
  statement_id  = "AllowS3"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.worker.function_name
  principal     = "s3.amazonaws.com"
}

resource "aws_cloudwatch_log_group" "worker" {
  name              = "/aws/lambda/worker"
  retention_in_days = 30
  kms_key_id        = aws_kms_key.data.arn
}

output "bucket" {
  value = aws_s3_bucket.uploads.bucket
}
