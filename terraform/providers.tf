provider "aws" {
  region = var.region

  default_tags {
    tags = merge({ Project = var.name_prefix, ManagedBy = "terraform" }, var.tags)
  }
}

# Region of the optional raw replica (module replication); unused while replication is off.
provider "aws" {
  alias  = "replica"
  region = var.replica_region

  default_tags {
    tags = merge({ Project = var.name_prefix, ManagedBy = "terraform" }, var.tags)
  }
}
