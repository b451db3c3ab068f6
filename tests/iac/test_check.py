"""``clientctl iac check``: each check catches a planted mistake on a small fixture tree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from clientctl.iac.check import find_checkov, load_schemas, run_iac_checks
from clientctl.terraform import binary
from tests.helpers import Runner

FIXTURES = Path(__file__).parent / "fixtures"
L1 = "providers/aws/regions/us-east-2/layers/01-foundation/production"
L3 = "providers/aws/regions/us-east-2/layers/03-database/production"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(FIXTURES / "good", root)
    return root


def run(root: Path, *only: str) -> dict[str, list[tuple[str, str | None, int | None, str]]]:
    outcomes = run_iac_checks(
        [root / "modules", root / "providers"],
        root=root,
        only=only,
        terraform=binary.find(),
        checkov=None,
        schemas=load_schemas(),
    )
    return {o.name: [(f.rule, f.file, f.line, f.message) for f in o.findings if f.level == "error"] for o in outcomes}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def rules(found: list[tuple[str, str | None, int | None, str]]) -> set[str]:
    return {r for r, *_ in found}


def test_the_good_tree_passes(tree: Path) -> None:
    assert run(tree, "fmt", "parse", "schema", "wiring") == {"fmt": [], "parse": [], "schema": [], "wiring": []}


def test_fmt_catches_an_unformatted_file(tree: Path) -> None:
    if binary.find() is None:
        pytest.skip("no terraform binary")
    edit(tree / L1 / "main.tf", "  cidr_block = local", "  cidr_block   =    local")
    found = run(tree, "fmt")["fmt"]
    assert [(r, f, line) for r, f, line, _ in found] == [("iac.fmt", f"{L1}/main.tf", 22)]


def test_missing_terraform_is_reported_not_a_crash(tree: Path) -> None:
    outcomes = run_iac_checks(
        [tree / "modules"], root=tree, only=["fmt"], terraform=tree / "nope", checkov=None, schemas={}
    )
    assert not outcomes[0].ran and not outcomes[0].ok
    assert outcomes[0].findings[0].rule == "iac.fmt.no-terraform"


def test_parse_reports_file_and_line(tree: Path) -> None:
    (tree / L1 / "broken.tf").write_text('resource "aws_vpc" "x" {\n  cidr_block = \n}\n')
    found = run(tree, "parse")["parse"]
    assert [(r, f, line) for r, f, line, _ in found] == [("iac.parse", f"{L1}/broken.tf", 2)]


def test_schema_catches_unknown_argument_and_missing_required(tree: Path) -> None:
    edit(tree / L1 / "main.tf", "  cidr_block = local", "  cidr_blok = local")
    edit(tree / L1 / "main.tf", '  type    = "CNAME"\n', "")
    found = run(tree, "schema")["schema"]
    assert ("iac.schema.unknown-argument", f"{L1}/main.tf", 22) in {(r, f, line) for r, f, line, _ in found}
    assert "iac.schema.missing-argument" in rules(found)
    assert any("cidr_block" in m for *_, m in found)  # did-you-mean


def test_schema_catches_unknown_type_and_pin_mismatch(tree: Path) -> None:
    edit(tree / L3 / "main.tf", 'resource "aws_security_group" "db"', 'resource "aws_security_groups" "db"')
    edit(tree / L3 / "versions.tf", '"= 6.69.1"', '"= 6.70.0"')
    found = run(tree, "schema")["schema"]
    assert {"iac.schema.unknown-type", "iac.schema.version-mismatch"} <= rules(found)


def test_wiring_catches_typo_variable_wrong_output_and_module_inputs(tree: Path) -> None:
    edit(tree / "modules/app_sg/main.tf", "vpc_id      = var.vpc_id", "vpc_id      = var.vpcid")
    edit(tree / L1 / "providers.tf", "module.tags.tags", "module.tags.tag")
    edit(tree / L1 / "main.tf", "  ports    = local", "  portz    = local")
    edit(tree / L3 / "main.tf", "outputs.vpc_id", "outputs.vpc")
    found = run(tree, "wiring")["wiring"]
    assert {
        "iac.wiring.undeclared-variable",
        "iac.wiring.unknown-output",
        "iac.wiring.unknown-input",
        "iac.wiring.missing-input",
        "iac.wiring.unknown-remote-output",
    } <= rules(found)


def test_wiring_checks_rendered_keys_and_variable_types(tree: Path) -> None:
    edit(tree / L1 / "main.tf", "local.client.names.vpc }", "local.client.names.vpc_name }")
    edit(
        tree / L1 / "variables.tf",
        "    layer                 = string",
        "    layer                 = string\n    colour = string",
    )
    edit(tree / L1 / "variables.tf", "      database_ports = list(number)", "      database_ports = list(bool)")
    found = run(tree, "wiring")["wiring"]
    msgs = " ".join(m for *_, m in found)
    assert "rendered-key" in " ".join(rules(found)) and "vpc_name" in msgs
    assert "colour" in msgs and "expected bool" in msgs


def test_registry_module_is_rejected(tree: Path) -> None:
    edit(tree / L1 / "main.tf", '"../../../../../../../modules/app_sg"', '"terraform-aws-modules/security-group/aws"')
    assert "iac.wiring.registry-module" in rules(run(tree, "wiring")["wiring"])


def test_cli_json_output(tree: Path, cli: Runner) -> None:
    edit(tree / L1 / "main.tf", "  cidr_block = local", "  cidr_blok = local")
    res = cli("--output", "json", "iac", "check", "--only", "schema", "--path", str(tree / "providers"))
    assert res.code == 1
    data = json.loads(res.out)
    assert data["ok"] is False and data["checks"][0]["findings"][0]["rule"] == "iac.schema.unknown-argument"


@pytest.mark.checkov
def test_checkov_flags_failures_and_weak_skips(tmp_path: Path) -> None:
    checkov = find_checkov()
    if checkov is None:
        pytest.skip("checkov not installed (tools/install-checkov.sh)")
    shutil.copytree(FIXTURES / "checkov", tmp_path / "ck")
    outcomes = run_iac_checks(
        [tmp_path / "ck"], root=tmp_path, only=["checkov"], terraform=None, checkov=checkov, schemas={}
    )
    found = {(f.rule, f.message.split()[0]) for f in outcomes[0].findings}
    assert ("iac.checkov.weak-skip", "CKV_AWS_144") in found
    assert ("iac.checkov.failed-check", "CKV_AWS_145") in found
    assert not any(c == "CKV_AWS_18" for _, c in found)  # skipped with a real reason
    assert any("CKV_AWS_18" in s for s in outcomes[0].skipped)


def test_checkov_missing_is_not_run(tree: Path) -> None:
    outcomes = run_iac_checks([tree / "modules"], root=tree, only=["checkov"], terraform=None, checkov=None, schemas={})
    assert not outcomes[0].ran and outcomes[0].findings[0].rule == "iac.checkov.missing"


def test_wiring_follows_counted_module_instances(tree: Path) -> None:
    """module.m[0].out: the index is the instance key (count/for_each), the next step is the output."""
    edit(tree / L1 / "main.tf", 'module "db_sg" {\n', 'module "db_sg" {\n  count    = 1\n')
    outputs = tree / L1 / "outputs.tf"
    good = '\noutput "db_sg_id" {\n  description = "x"\n  value       = module.db_sg[0].security_group_id\n}\n'
    outputs.write_text(outputs.read_text() + good)
    assert run(tree, "wiring")["wiring"] == []
    edit(outputs, "module.db_sg[0].security_group_id", "module.db_sg[0].security_group")
    found = run(tree, "wiring")["wiring"]
    assert [(r, m) for r, _f, _l, m in found] == [
        (
            "iac.wiring.unknown-output",
            "module.db_sg.security_group: module ../../../../../../../modules/app_sg has no output 'security_group'",
        )
    ]


def test_wiring_reads_moved_blocks_as_addresses(tree: Path) -> None:
    """moved/removed/import hold resource addresses (module.m.aws_x.y), not references to module outputs."""
    (tree / L1 / "migrations.tf").write_text(
        "moved {\n  from = aws_security_group.db\n  to   = module.db_sg.aws_security_group.this\n}\n"
    )
    assert run(tree, "wiring")["wiring"] == []


def test_wiring_catches_references_to_undeclared_resources(tree: Path) -> None:
    """A resource moved into a module leaves `aws_x.y` references behind; terraform validate rejects them."""
    edit(tree / "modules/app_sg/outputs.tf", "aws_security_group.this.id", "one(aws_security_group.old[*].id)")
    (tree / "modules/app_sg/extra.tf").write_text(
        'output "ids" {\n  description = "Ids."\n  value       = [data.aws_vpc.gone.id, ephemeral.random_password.x.result]\n}\n'
    )
    found = run(tree, "wiring")["wiring"]
    undeclared = sorted(m.split(" is ")[0] for r, _f, _l, m in found if r == "iac.wiring.undeclared-resource")
    assert undeclared == ["aws_security_group.old", "data.aws_vpc.gone", "ephemeral.random_password.x"]
    # declared ones and moved blocks are not reported
    (tree / "modules/app_sg/migrations.tf").write_text(
        "moved {\n  from = aws_security_group.older\n  to   = aws_security_group.this\n}\n"
    )
    edit(tree / "modules/app_sg/outputs.tf", "one(aws_security_group.old[*].id)", "aws_security_group.this.id")
    (tree / "modules/app_sg/extra.tf").unlink()
    assert run(tree, "wiring")["wiring"] == []
