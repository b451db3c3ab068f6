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
