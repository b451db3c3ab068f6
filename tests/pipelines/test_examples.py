"""examples/ci/ is what `clientctl pipeline` writes for the sample registry now (a drift check; `clientctl
validate` does not depend on it)."""

from __future__ import annotations

import pytest

from tests.conftest import REPO
from tests.helpers import Runner


@pytest.mark.parametrize("kind", ["github-actions", "gitlab-ci"])
def test_examples_are_up_to_date(cli: Runner, kind: str) -> None:
    path = REPO / "examples" / "ci" / f"{kind}.yml"
    result = cli("--root", str(REPO), "pipeline", kind)
    assert result.code == 0, result.text
    assert result.out.encode() == path.read_bytes(), (
        f"{path.relative_to(REPO)} is stale: run `clientctl pipeline {kind} --out examples/ci/{kind}.yml`"
    )
