# Native Terraform tests (`terraform test`, offline): every AWS call is mocked, so these check
# the wiring and the security defaults of what the configuration would create.
# Run by tests/terraform/test_tf_native.py with -var lambda_zip_path=<a built zip>.

mock_provider "aws" {
  source = "./tests/mocks/aws"
}

# The replica region's provider (module replication): mocked too, so nothing reaches AWS.
mock_provider "aws" {
  alias  = "replica"
  source = "./tests/mocks/replica"
}

variables {
  powertools_layer_arn = "arn:aws:lambda:eu-central-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:18"
}

run "root_wires_the_modules" {
  command = apply

  assert {
    condition     = toset(keys(output.bucket_names)) == toset(["landing", "raw", "quarantine", "curated", "athena-results", "artifacts"])
    error_message = "storage must create the six buckets."
  }

  assert {
    condition     = output.bucket_names["raw"] == "cola-analytics-raw-123456789012-eu-central-1"
    error_message = "bucket names are <prefix>-<purpose>-<account>-<region>."
  }

  assert {
    condition     = toset(output.glue_databases) == toset(["raw", "staging", "intermediate", "marts", "seeds"])
    error_message = "the catalog holds raw and dbt's schemas."
  }

  assert {
    condition     = strcontains(output.start_build_command, output.state_machine_arn)
    error_message = "the on-demand command starts the state machine."
  }

  # The runner reads its workgroup and buckets from the environment the compute module sets.
  assert {
    condition     = output.athena_workgroup == "cola-analytics"
    error_message = "the workgroup is named after the prefix."
  }

  # Replication is an opt-in module.
  assert {
    condition     = length(module.replication) == 0
    error_message = "replication is off by default."
  }
}

run "replication_is_a_module_away" {
  command = plan

  variables {
    enable_raw_replication = true
    replica_region         = "eu-west-1"
  }

  assert {
    condition     = length(module.replication) == 1
    error_message = "enable_raw_replication adds the replication module."
  }
}
