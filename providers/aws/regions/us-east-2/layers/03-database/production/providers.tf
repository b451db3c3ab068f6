provider "aws" {
  region = var.settings.region

  default_tags {
    tags = module.tags.tags
  }
}
