"""`clientctl iac check --only validate`: the real Terraform validates our code with the provider stand-ins.

Each test plants one kind of mistake in a copy of a module and checks that Terraform's diagnostic comes back
at the planted file and line, through the CLI (issue 10: "each is reported with file and line"). The kinds
that need value types (a wrong-type value, an index into a set) rely on the typed schemas.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from clientctl.iac import tf_validate
from clientctl.terraform import workcopy
from tests.helpers import Runner

REPO = Path(__file__).resolve().parents[2]
MODULE = "modules/kms-key"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "platform.yaml", root / "platform.yaml")
    shutil.copytree(REPO / MODULE, root / MODULE)
    return root


def plant(root: Path, file: str, block: str) -> int:
    """Append ``block`` to ``file``; return the line of its first line."""
    path = root / MODULE / file
    text = path.read_text()
    if not text.endswith("\n"):
        text += "\n"
    line = text.count("\n") + 2
    path.write_text(text + "\n" + block)
    return line


def validate(cli: Runner, root: Path) -> tuple[int, list[dict[str, object]]]:
    result = cli("--root", str(root), "-o", "json", "iac", "check", "--only", "validate", "--path", str(root / MODULE))
    report = json.loads(result.out)
    findings = [f for c in report["checks"] for f in c["findings"]]
    return result.code, findings


def test_the_unchanged_module_validates(tree: Path, cli: Runner) -> None:
    code, findings = validate(cli, tree)
    assert (code, findings) == (0, [])


@pytest.mark.parametrize(
    ("label", "file", "block", "offset", "summary"),
    [
        (
            "reference to an undeclared resource",
            "outputs.tf",
            'output "planted" {\n  value = aws_kms_key.nowhere.arn\n}\n',
            1,
            "Reference to undeclared resource",
        ),
        (
            "a block where the schema has an attribute",
            "main.tf",
            'resource "aws_kms_alias" "planted" {\n  name          = "alias/planted"\n  target_key_id = "k"\n'
            "  name_prefix {\n  }\n}\n",
            3,
            "Unsupported block type",
        ),
        (
            "for_each over a list",
            "main.tf",
            'resource "aws_kms_alias" "planted" {\n  for_each      = ["a", "b"]\n  name          = "alias/${each.key}"\n'
            '  target_key_id = "k"\n}\n',
            1,
            "Invalid for_each argument",
        ),
        (
            "a value of the wrong type for an argument",
            "main.tf",
            'resource "aws_kms_alias" "planted" {\n  name          = { not = "a string" }\n  target_key_id = "k"\n}\n',
            1,
            "Incorrect attribute value type",
        ),
        (
            "an index into a set",
            "main.tf",
            'data "aws_iam_policy_document" "planted" {\n  statement {\n    actions   = ["kms:Decrypt"]\n'
            '    resources = ["*"]\n  }\n}\n\n'
            'resource "aws_kms_alias" "planted" {\n  name          = "alias/x"\n'
            "  target_key_id = data.aws_iam_policy_document.planted.statement[0].actions[0]\n}\n",
            9,
            "Invalid index",
        ),
        (
            "an argument the resource does not have",
            "main.tf",
            'resource "aws_kms_alias" "planted" {\n  name          = "alias/planted"\n  target_key_id = "k"\n'
            "  rotation      = true\n}\n",
            3,
            "Unsupported argument",
        ),
    ],
)
def test_planted_mistake_is_reported_at_its_file_and_line(
    tree: Path, cli: Runner, label: str, file: str, block: str, offset: int, summary: str
) -> None:
    line = plant(tree, file, block) + offset
    code, findings = validate(cli, tree)
    assert code == 1
    hits = [f for f in findings if str(f["message"]).startswith(summary)]
    assert hits, findings
    assert hits[0]["file"] == f"{MODULE}/{file}" and hits[0]["line"] == line, hits


def test_validation_runs_on_a_copy_and_leaves_no_lock_file(tree: Path, cli: Runner) -> None:
    assert validate(cli, tree)[0] == 0
    assert not list((tree / MODULE).rglob(".terraform*"))
    assert (workcopy.work_dir(tree) / "tree" / MODULE / ".terraform.lock.hcl").is_file()


def test_targets_are_every_layer_root_and_module_of_the_repository() -> None:
    found = {(str(t.path), t.kind) for t in tf_validate.targets(REPO)}
    layers = {p for p, k in found if k == "layer"}
    modules = {p for p, k in found if k == "module"}
    assert len(layers) == 6 and all("/layers/" in p for p in layers)
    assert {p.name for p in (REPO / "modules").iterdir() if any(p.glob("*.tf"))} == {Path(p).name for p in modules}


def test_terraform_test_failures_come_back_with_file_and_line(tmp_path: Path, cli: Runner) -> None:
    """`iac check --only test` runs the module's .tftest.hcl suite with mock providers on the stand-ins."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "platform.yaml", root / "platform.yaml")
    module = "modules/client-vpc"
    shutil.copytree(REPO / "modules", root / "modules")
    args = ["--root", str(root), "-o", "json", "iac", "check", "--only", "test", "--path", str(root / module)]
    passed = cli(*args)
    assert passed.code == 0, passed.out
    suite = root / module / "tests" / "vpn_customer_gateway.tftest.hcl"
    text = suite.read_text()
    line = text.count("\n") + 2  # the planted run's first line
    suite.write_text(
        text + '\nrun "planted_false_assertion" {\n  command = plan\n\n'
        '  assert {\n    condition     = aws_vpc.this.cidr_block == "0.0.0.0/0"\n    error_message = "planted"\n  }\n}\n'
    )
    failed = cli(*args)
    assert failed.code == 1
    findings = [f for c in json.loads(failed.out)["checks"] for f in c["findings"]]
    planted = [f for f in findings if f.get("file") == f"{module}/tests/vpn_customer_gateway.tftest.hcl"]
    assert planted and planted[0]["line"] == line + 4, findings
    assert any("planted_false_assertion" in str(f["message"]) for f in findings), findings
