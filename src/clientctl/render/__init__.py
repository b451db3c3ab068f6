"""Rendering: the registry turned into each layer's Terraform inputs and the CIDR ledger."""
