terraform {
  # Cross-variable references in validation blocks need Terraform >= 1.9.
  required_version = ">= 1.10.0"
}
