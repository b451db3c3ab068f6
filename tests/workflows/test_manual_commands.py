"""Issue 13.12: commands onboarding prints for a human name the namespace the Terraform really uses."""

from __future__ import annotations

from pathlib import Path

import hcl2

from clientctl import naming
from clientctl.workflows.onboard import MANUAL_STEPS

REPO = Path(__file__).resolve().parents[2]


def test_grafana_port_forward_names_the_modules_namespace() -> None:
    variables = hcl2.loads((REPO / "modules" / "observability-per-client" / "variables.tf").read_text())
    default = next(v['"namespace"']["default"] for v in variables["variable"] if '"namespace"' in v)
    assert default.strip('"') == naming.OBSERVABILITY_NAMESPACE
    (grafana,) = [what for item, what in MANUAL_STEPS if "dashboards" in item]
    text = grafana.format(
        context="acme-corp", observability_namespace=naming.OBSERVABILITY_NAMESPACE, grafana="s", zone="z"
    )
    assert f"-n {naming.OBSERVABILITY_NAMESPACE} port-forward svc/grafana" in text
    assert "-n monitoring" not in text


def test_by_hand_terraform_lines_carry_the_sandbox_backend_options(tmp_path: Path) -> None:
    """Issue 13.12: the printed `terraform init` for a custom endpoint has what clientctl's runs pass."""
    from clientctl.rules import load_registry
    from clientctl.workflows.common import manual_terraform
    from tests.helpers import copy_registry

    registry = load_registry(copy_registry(REPO, tmp_path / "repo"))
    (line,) = manual_terraform(
        registry.root, registry, "acme-corp", ["01-foundation"], "apply", "https://127.0.0.1:4566"
    )
    assert "-backend-config=use_path_style=true" in line and "-backend-config=skip_credentials_validation=true" in line
    assert line.count("AWS_ENDPOINT_URL=https://127.0.0.1:4566 terraform") == 3
    assert "terraform workspace select -or-create acme-corp" in line
    (plain,) = manual_terraform(registry.root, registry, "acme-corp", ["01-foundation"], "apply")
    assert "AWS_ENDPOINT_URL" not in plain and "use_path_style" not in plain
