terraform {
  # 1.11, not the usual 1.10: the SES SMTP password is written write-only (secret_string_wo) into Secrets Manager.
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "= 6.69.1"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "= 3.3.0"
    }
  }
}
