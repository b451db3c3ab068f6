"""The offline backend check in `clientctl validate`."""

from __future__ import annotations

from .conftest import Aws, run_cli


def test_validate_flags_a_backend_hcl_that_disagrees_with_platform_yaml(aws: Aws) -> None:
    path = aws.repo / "providers/aws/regions/us-east-2/layers/01-foundation/production/backend.hcl"
    path.write_text(path.read_text().replace("ohio-01-terraform-state-production", "other-state"))
    code, out = run_cli(["--root", str(aws.repo), "validate"], env={})
    assert code == 1 and "backend" in out
