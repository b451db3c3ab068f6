"""client add: allocation, validation before writing, rendering after, and concurrency safety."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import yaml

from clientctl.edits import add_client
from clientctl.ipam.cidr import parse_network
from clientctl.ipam.overlap import Prefix, find_overlaps
from clientctl.registry.edit import ClientRequest
from clientctl.rules import load_registry
from tests.helpers import Runner, snapshot


def test_add_allocates_free_block_and_renders(repo: Path, cli: Runner) -> None:
    result = cli("client", "add", "hooli", "--contact-email", "ops@hooli.example", "--tier", "premium", cwd=repo)
    assert result.code == 0, result.text
    data = yaml.safe_load((repo / "clients/hooli.yaml").read_text())
    cidr = parse_network(data["network"]["vpc_cidr"])
    others = [parse_network(c.model.network.vpc_cidr) for c in load_registry(repo).clients.values()]
    assert not find_overlaps([Prefix(n, i) for i, n in enumerate(others)])
    assert cidr.prefixlen == 16 and cidr.subnet_of(parse_network("10.64.0.0/10"))
    assert cli("render", "--check", cwd=repo).code == 0
    assert cli("validate", cwd=repo).code == 0
    tfvars = json.loads(
        (repo / "providers/aws/regions/us-east-2/layers/02-platform/production/clients.auto.tfvars.json").read_text()
    )
    assert tfvars["clients"]["hooli"]["network"]["vpc_cidr"] == str(cidr)
    assert tfvars["clients"]["hooli"]["tags"]["Layer"] == "02-platform"
    assert "hooli" in (repo / "cidr-registry.yaml").read_text()


def test_add_with_set_and_explicit_cidr(repo: Path, cli: Runner) -> None:
    result = cli(
        "client",
        "add",
        "hooli",
        "--contact-email",
        "ops@hooli.example",
        "--vpc-cidr",
        "10.90.0.0/16",
        "--set",
        "eks.desired_size=3",
        "--set",
        "compute.analytics_enabled=true",
        cwd=repo,
    )
    assert result.code == 0, result.text
    shown = cli("--output", "json", "client", "show", "hooli", cwd=repo)
    resolved = json.loads(shown.out)["client"]
    assert resolved["network"]["vpc_cidr"] == "10.90.0.0/16"
    assert resolved["eks"]["desired_size"] == 3
    assert resolved["compute"]["analytics_enabled"] is True


def test_add_rejects_bad_requests_without_writing(repo: Path, cli: Runner) -> None:
    before = snapshot(repo)
    cases = [
        (("client", "add", "Bad_Name", "--contact-email", "a@b.example"), 2, "invalid client name"),
        (("client", "add", "acme-corp", "--contact-email", "a@b.example"), 2, "already exists"),
        (("client", "add", "hooli"), 2, "contact email is required"),
        (
            ("client", "add", "hooli", "--contact-email", "a@b.example", "--vpc-cidr", "10.100.0.0/16"),
            2,
            "ipam.duplicate",
        ),
        (
            ("client", "add", "hooli", "--contact-email", "a@b.example", "--set", "eks.instance_type=x"),
            2,
            "did you mean 'instance_types'",
        ),
        (("client", "add", "hooli", "--contact-email", "a@b.example", "--tier", "gold"), 2, "registry.tier"),
        (("client", "add", "hooli", "--contact-email", "a@b.example", "--set", "nope"), 2, "PATH=VALUE"),
        (("client", "add", "hooli", "--contact-email", "a@b.example", "--dry-run"), 0, "would write"),
    ]
    for args, code, needle in cases:
        result = cli(*args, cwd=repo)
        assert result.code == code, (args, result.text)
        assert needle in result.text, (args, result.text)
        assert "Traceback" not in result.text
        assert snapshot(repo) == before, args


def test_full_pool_is_a_clear_error(repo: Path, cli: Runner) -> None:
    platform = repo / "platform.yaml"
    # A pool with exactly one free /16 left: the three clients' 10.100-10.102 live in 10.100.0.0/14.
    platform.write_text(platform.read_text().replace("cidr: 10.64.0.0/10", "cidr: 10.100.0.0/14"))
    platform.write_text(platform.read_text().replace("cidr: 10.127.0.0/16", "cidr: 10.127.0.0/16"))
    ok = cli("client", "add", "hooli", "--contact-email", "a@b.example", cwd=repo)
    assert ok.code == 0, ok.text
    assert "10.103.0.0/16" in ok.text
    assert "warning: pool clients-10" in ok.text  # 100% used after this allocation
    before = snapshot(repo)
    full = cli("client", "add", "umbrella", "--contact-email", "a@b.example", cwd=repo)
    assert full.code == 2  # the request is refused (platform.yaml has no room): a configuration error
    assert "no free /16 block left" in full.text and "add a pool" in full.text
    assert snapshot(repo) == before
    report = cli("--output", "json", "cidr", "allocate", cwd=repo)
    assert report.code == 1


def _add(args: tuple[str, int]) -> str:
    root, index = args
    result = add_client(Path(root), ClientRequest(name=f"client-{index}", contact_email="ops@example.com"))
    return str(result.allocation.cidr) if result.allocation else ""


def test_concurrent_adds_never_share_a_cidr(repo: Path) -> None:
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        cidrs = pool.map(_add, [(str(repo), i) for i in range(12)])
    assert len(set(cidrs)) == 12
    registry = load_registry(repo)
    assert len(registry.clients) == 15
    nets = [parse_network(c.model.network.vpc_cidr) for c in registry.clients.values()]
    assert not find_overlaps([Prefix(n, i) for i, n in enumerate(nets)])


def test_set_keeps_comments_and_order_and_renders(repo: Path, cli: Runner) -> None:
    path = repo / "clients/acme-corp.yaml"
    original = path.read_text()
    result = cli("client", "set", "acme-corp", "eks.desired_size=4", "eks.max_size=8", cwd=repo)
    assert result.code == 0, result.text
    text = path.read_text()
    assert text.startswith("# Acme Corp: standard tier, site-to-site VPN to its datacenter.")
    assert "desired_size: 4" in text and "max_size: 8" in text
    # only the two values changed, line by line
    changed = [(a, b) for a, b in zip(original.splitlines(), text.splitlines(), strict=True) if a != b]
    assert changed == [("  max_size: 5", "  max_size: 8"), ("  desired_size: 2", "  desired_size: 4")]
    tfvars = json.loads(
        (repo / "providers/aws/regions/us-east-2/layers/02-platform/production/clients.auto.tfvars.json").read_text()
    )
    assert tfvars["clients"]["acme-corp"]["eks"]["desired_size"] == 4
    assert cli("validate", cwd=repo).code == 0


def test_set_rejects_invalid_change_without_writing(repo: Path, cli: Runner) -> None:
    before = snapshot(repo)
    for args, code, needle in [
        (("eks.desired_size=9",), 2, "eks.sizing"),
        (("network.vpc_cidr=10.101.0.0/16",), 2, "ipam.duplicate"),
        (("eks.desired_sise=3",), 2, "did you mean 'desired_size'"),
        (("name=other",), 2, "name cannot change"),
        ((), 2, "nothing to set"),
    ]:
        result = cli("client", "set", "acme-corp", *args, cwd=repo)
        assert result.code == code, (args, result.text)
        assert needle in result.text, (args, result.text)
        assert snapshot(repo) == before
    assert cli("client", "set", "nobody", "eks.desired_size=3", cwd=repo).code == 2
