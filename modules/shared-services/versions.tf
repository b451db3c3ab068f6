terraform {
  required_version = ">= 1.11.0" # write-only secret_string_wo (ses.tf)

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = ">= 3.0"
    }
  }
}
