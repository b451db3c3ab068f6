terraform {
  # >= 1.11, not the usual 1.10: the passwords use an ephemeral resource (1.10) and write-only
  # arguments (1.11) so they never reach plan or state.
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "= 6.69.1"
    }
    random = {
      source  = "hashicorp/random"
      version = "= 3.9.1"
    }
  }
}
