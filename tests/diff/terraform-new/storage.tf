resource "aws_s3_bucket" "uploads" {
  bucket = local.name
}

resource "aws_s3_bucket_public_access_block" "uploads" {
  bucket                  = aws_s3_bucket.uploads.id
  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# The archive leaves this module but keeps its objects.
removed {
  from = aws_s3_bucket.archive
  lifecycle {
    destroy = false
  }
}

moved {
  from = aws_s3_bucket.scratch
  to   = aws_s3_bucket.temp
}

resource "aws_s3_bucket" "temp" {
  bucket = "${local.name}-scratch"
}

resource "aws_sqs_queue" "jobs" {
  name              = "jobs-v2"
  kms_master_key_id = aws_kms_key.data.arn
}

resource "aws_sqs_queue" "retries" {
  count = 1
  name  = "retries"
}
