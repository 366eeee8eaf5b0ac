"""Landing of machine run reports: shared by the local CLI and the S3-triggered Lambda."""
