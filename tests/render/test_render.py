"""Rendering: deterministic output, drift detection, layer folders, backend.hcl and the ledger."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from clientctl import naming
from clientctl.layers import BY_NAME, LAYER_NAMES, state_name
from clientctl.render.render import PROLOGUE_FILE, layer_tf, read_backend_hcl
from tests.helpers import Runner, snapshot

LAYERS = Path("providers/aws/regions/us-east-2/layers")


def test_shipped_repository_is_rendered_and_valid(repo: Path, cli: Runner) -> None:
    assert cli("render", "--check", cwd=repo).code == 0
    assert cli("validate", cwd=repo).code == 0


def test_render_is_deterministic_and_idempotent(repo: Path, cli: Runner) -> None:
    for path in repo.rglob("clients.auto.tfvars.json"):
        path.unlink()
    assert cli("render", cwd=repo).code == 0
    first = snapshot(repo)
    second = cli("render", cwd=repo)
    assert second.code == 0 and "0 file(s) written" in second.out
    assert snapshot(repo) == first
    for layer in LAYER_NAMES:
        folder = repo / LAYERS / layer / "production"
        assert (folder / "clients.auto.tfvars.json").is_file() and (folder / "backend.hcl").is_file()


def test_check_lists_every_drifted_file_and_writes_nothing(repo: Path, cli: Runner) -> None:
    tfvars = repo / LAYERS / "03-database/production/clients.auto.tfvars.json"
    tfvars.write_text(tfvars.read_text().replace('"r6i.large"', '"r6i.4xlarge"', 1))
    (repo / LAYERS / "05-cluster-services/production/backend.hcl").unlink()
    before = snapshot(repo)
    result = cli("render", "--check", cwd=repo)
    assert result.code == 1
    assert "03-database/production/clients.auto.tfvars.json" in result.out
    assert "05-cluster-services/production/backend.hcl" in result.out
    assert snapshot(repo) == before
    assert cli("validate", cwd=repo).code == 1


def test_backend_hcl_matches_runbook(repo: Path) -> None:
    text = (repo / LAYERS / "01-foundation/production/backend.hcl").read_text()
    assert 'bucket         = "ohio-01-terraform-state-production"' in text
    assert (
        'key            = "providers/aws/regions/us-east-2/layers/01-foundation/production/terraform.tfstate"' in text
    )
    assert 'dynamodb_table = "terraform-locks-us-east"' in text
    assert "encrypt        = true" in text and "use_lockfile   = true" in text


def test_backend_hcl_reads_back(repo: Path) -> None:
    """What the sandbox runner reads to find a lock's table (clientctl.terraform.setup.release_lock)."""
    text = (repo / LAYERS / "03-database/production/backend.hcl").read_text()
    assert read_backend_hcl(text) == {
        "bucket": "ohio-01-terraform-state-production",
        "key": "providers/aws/regions/us-east-2/layers/03-database/production/terraform.tfstate",
        "region": "us-east-2",
        "encrypt": True,
        "dynamodb_table": "terraform-locks-us-east",
        "use_lockfile": True,
    }


def test_tfvars_are_complete_and_layer_tagged(repo: Path) -> None:
    data = json.loads((repo / LAYERS / "05-cluster-services/production/clients.auto.tfvars.json").read_text())
    globex = data["clients"]["globex"]
    assert globex["tags"] == {
        "Client": "globex",
        "ClientCode": "GLOBEX",
        "CostCenter": "CC-GLOBEX-001",
        "Environment": "production",
        "Tier": "premium",
        "ManagedBy": "clientctl",
        "Project": "ohio-01",
        "Compliance": "SOC2 PCI-DSS HIPAA",
        "Layer": "05-cluster-services",
    }
    assert globex["network"]["nat_gateway_azs"] == ["us-east-2a", "us-east-2b", "us-east-2c"]
    assert globex["observability"]["prometheus_replicas"] == 2
    assert globex["names"]["cluster"] == "globex-production-us-east-2"
    assert globex["names"]["dns_zone"] == "globex.ezra.world"
    assert globex["names"]["observability_prefixes"]["logs"] == "logs/client=globex/"
    initech = data["clients"]["initech"]
    assert initech["network"]["nat_gateway_azs"] == ["us-east-2a"]
    assert initech["observability"]["prometheus_storage_gi"] == 50
    assert initech["database"]["replica_enabled"] is False
    settings = data["settings"]
    assert settings["remote_state"]["02-platform"]["key"] == naming.state_key("us-east-2", "02-platform", "production")
    assert set(settings["remote_state"]) == {"01-foundation", "02-platform"}


def test_ledger_keeps_released_quarantine(repo: Path, cli: Runner) -> None:
    ledger = repo / "cidr-registry.yaml"
    data = yaml.safe_load(ledger.read_text())
    data["released"] = [
        {
            "vpc_cidr": "10.64.0.0/16",
            "client": "gone",
            "region": "us-east-2",
            "environment": "production",
            "released_date": "2026-11-01",
            "quarantine_until": "2099-01-30",
        }
    ]
    ledger.write_text(yaml.safe_dump(data, sort_keys=False))
    assert cli("render", cwd=repo).code == 0
    assert "gone" in ledger.read_text()
    # The quarantined block is skipped by allocation and refused for a new client.
    alloc = cli("--output", "json", "cidr", "allocate", cwd=repo)
    assert json.loads(alloc.out)["cidr"] == "10.65.0.0/16"
    taken = cli("client", "add", "hooli", "--contact-email", "a@b.example", "--vpc-cidr", "10.64.0.0/16", cwd=repo)
    assert taken.code == 2 and "in quarantine" in taken.text


def test_fast_tfvars_serializer_matches_plain_json(repo: Path) -> None:
    """The once-per-client serializer must produce exactly what json.dumps(indent=2, sort_keys) would."""
    from clientctl.render.render import _json

    for path in repo.rglob("clients.auto.tfvars.json"):
        text = path.read_text()
        assert text == _json(json.loads(text)), path


def test_layer_tf_is_rendered_into_layer_roots_only_and_drift_checked(repo: Path, cli: Runner) -> None:
    """layer.tf (the generated prologue) goes into a layer root (a folder with versions.tf), is what the shipped
    roots commit, and a hand edit of it is drift; a stand-in layer (one main.tf) gets none."""
    shipped = Path(__file__).resolve().parents[2] / LAYERS
    assert not list(repo.rglob(PROLOGUE_FILE))  # a registry without Terraform gets no Terraform
    folder = repo / LAYERS / "05-cluster-services/production"
    (folder / "main.tf").write_text("# a provider-free stand-in layer (tests/orchestrator/fixtures)\n")
    assert cli("render", "--check", cwd=repo).code == 0
    (folder / "versions.tf").write_text("# the layer root's pins\n")
    result = cli("render", "--check", cwd=repo)
    assert result.code == 1 and f"05-cluster-services/production/{PROLOGUE_FILE}" in result.out
    assert cli("render", cwd=repo).code == 0
    text = (folder / PROLOGUE_FILE).read_text()
    assert text == (shipped / "05-cluster-services/production" / PROLOGUE_FILE).read_text()
    assert text.startswith("# Generated by `clientctl render`")
    for address in ('"terraform_data" "workspace_guard"', 'module "tags"', '"terraform_remote_state" "platform"'):
        assert address in text
    (folder / PROLOGUE_FILE).write_text(text.replace("local.enabled ? 1 : 0", "1", 1))
    result = cli("render", "--check", cwd=repo)
    assert result.code == 1 and PROLOGUE_FILE in result.out


def test_layer_tf_of_every_layer_reads_its_upstream_states() -> None:
    for layer in LAYER_NAMES:
        text = layer_tf("us-east-2", "production", layer)
        reads = re.findall(r'data "terraform_remote_state" "(\w+)" \{\n  count = local\.(\w+) \? 1 : 0', text)
        expected = [(state_name(r.layer), BY_NAME[layer].enabled_local) for r in BY_NAME[layer].remote_states()]
        assert reads == expected, layer
        assert set(BY_NAME[layer].depends_on) <= {r.layer for r in BY_NAME[layer].remote_states()}
