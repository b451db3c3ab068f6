"""platform.yaml versions: the Kubernetes version must have a cluster-autoscaler row in version_matrix."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import Runner

REPO = Path(__file__).resolve().parents[2]


def test_rendered_autoscaler_matches_the_kubernetes_minor() -> None:
    tfvars = REPO / "providers/aws/regions/us-east-2/layers/05-cluster-services/production/clients.auto.tfvars.json"
    data = json.loads(tfvars.read_text())
    versions = data["settings"]["versions"]
    minor = versions["kubernetes"]
    assert versions["cluster_autoscaler_image_tag"].startswith(f"v{minor}.")
    assert all(c["eks"]["version"] == minor for c in data["clients"].values())
    # EKS standard support on 2026-12-02: 1.35 (until 2027-03-27); 1.31-1.34 are past it or end today.
    assert minor == "1.35"


def test_kubernetes_version_without_matrix_row_is_refused(repo: Path, cli: Runner) -> None:
    platform = repo / "platform.yaml"
    text = platform.read_text()
    assert 'kubernetes: "1.35"' in text
    platform.write_text(text.replace('kubernetes: "1.35"', 'kubernetes: "1.36"'))
    result = cli("validate", cwd=repo)
    out = result.out + result.err
    assert result.code == 2, out
    line = next(i for i, t in enumerate(platform.read_text().splitlines(), 1) if 'kubernetes: "1.36"' in t)
    assert f"platform.yaml:{line}:" in out
    assert "versions.kubernetes" in out and "1.36" in out and "[platform.kubernetes-version]" in out
    assert 'version_matrix["1.36"]' in out and "1.32, 1.33, 1.34, 1.35" in out
    assert "Traceback" not in out
