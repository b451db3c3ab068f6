terraform {
  # 1.10: ephemeral resources (ephemeral "random_password"); 1.11: write-only arguments
  # (aws_secretsmanager_secret_version.secret_string_wo). Both keep the passwords out of plan and state.
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.7"
    }
  }
}
