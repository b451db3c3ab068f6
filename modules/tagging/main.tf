# The one source of names and tags, in the spirit of cloudposse/terraform-null-label: pure locals, no resources.
# clientctl (Python) derives every value; this module checks the key set (variables.tf), pins the Layer tag and
# hands one map to both the provider default_tags and every resource's `tags`.

locals {
  tags        = var.enabled ? merge(var.client_tags, { Layer = var.layer }) : {}
  name_prefix = var.enabled ? var.name_prefix : ""
}
