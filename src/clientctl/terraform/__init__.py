"""Running the Terraform CLI: one (client, layer) at a time, isolated by workspace and data folder."""

from clientctl.terraform.output import LockInfo, PlanSummary
from clientctl.terraform.runner import BackendOverrides, StepResult, TerraformError, TerraformRunner

__all__ = ["BackendOverrides", "LockInfo", "PlanSummary", "StepResult", "TerraformError", "TerraformRunner"]
