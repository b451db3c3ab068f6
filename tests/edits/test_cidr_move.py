"""Issue 13.3: changing a client's VPC CIDR is no longer silent: a warning, and the old block is quarantined."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.helpers import ACME, Runner, edit


def test_changing_vpc_cidr_warns_and_quarantines_the_old_block(repo: Path, cli: Runner) -> None:
    edit(repo, ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.110.0.0/16")
    edit(repo, ACME, "cidr_offset: 100", "cidr_offset: 110")
    result = cli("validate", "--only", "registry", cwd=repo)
    assert result.code == 0, result.text  # a warning, not an error
    assert "ipam.vpc-cidr-move" in result.text and "10.100.0.0/16" in result.text, result.text
    assert cli("render", cwd=repo).code == 0
    ledger = yaml.safe_load((repo / "cidr-registry.yaml").read_text())
    assert ledger["clients"]["acme-corp"]["vpc_cidr"] == "10.110.0.0/16"
    (released,) = [r for r in ledger["released"] if r["client"] == "acme-corp"]
    assert released["vpc_cidr"] == "10.100.0.0/16"
    # the quarantined block is not handed out again
    result = cli("client", "add", "probe", "--vpc-cidr", "10.100.0.0/16", "--contact-email", "a@b.example", cwd=repo)
    assert result.code == 2 and "quarantine" in result.text, result.text
    # rendering again changes nothing (the move is recorded once)
    assert cli("render", "--check", cwd=repo).code == 0
    result = cli("validate", "--only", "registry", cwd=repo)
    assert "ipam.vpc-cidr-move" not in result.text


def test_moving_back_to_the_own_quarantined_block_is_a_revert(repo: Path, cli: Runner) -> None:
    assert (
        cli("client", "set", "acme-corp", "network.vpc_cidr=10.110.0.0/16", "network.cidr_offset=110", cwd=repo).code
        == 0
    )
    result = cli("client", "set", "acme-corp", "network.vpc_cidr=10.100.0.0/16", "network.cidr_offset=100", cwd=repo)
    assert result.code == 0, result.text  # its VPC still has the block: no overlap with "a former client"
    ledger = yaml.safe_load((repo / "cidr-registry.yaml").read_text())
    assert ledger["clients"]["acme-corp"]["vpc_cidr"] == "10.100.0.0/16"
    released = [(r["client"], r["vpc_cidr"]) for r in ledger["released"]]
    assert ("acme-corp", "10.100.0.0/16") not in released  # the revert takes it out of quarantine
    assert ("acme-corp", "10.110.0.0/16") in released  # and the briefly used block goes in
    # another client still cannot take the block acme-corp left
    other = cli("client", "set", "globex", "network.vpc_cidr=10.110.0.0/16", "network.cidr_offset=110", cwd=repo)
    assert other.code == 2 and "quarantine" in other.text


def test_cidr_move_dry_run_writes_nothing(repo: Path, cli: Runner) -> None:
    from tests.helpers import snapshot

    before = snapshot(repo)
    result = cli("cidr", "move", "acme-corp", "10.110.0.0/16", "--dry-run", cwd=repo)
    assert result.code == 0, result.text
    assert "replaces_vpc_cidr: 10.100.0.0/16" in result.out
    assert snapshot(repo) == before
    refused = cli("cidr", "move", "acme-corp", "10.101.0.0/16", cwd=repo)  # globex's block
    assert refused.code == 2 and "ipam.duplicate" in refused.text
    assert snapshot(repo) == before
