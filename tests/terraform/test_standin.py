"""Provider stand-ins driven by the real Terraform binary (no network: the CLI config excludes the registry).

Every root module is written to (or copied into) a temporary directory, so the ``.terraform.lock.hcl`` that
``terraform init`` writes with stand-in hashes never lands in the repository.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from clientctl.terraform.standin import StandinConfig, install
from clientctl.terraform.standin.builtins import render_policy_document
from clientctl.terraform.standin.server import NOT_A_PLUGIN_MESSAGE

REPO = Path(__file__).resolve().parents[2]


def _terraform() -> str | None:
    local = REPO / ".venv" / "bin" / "terraform"
    return str(local) if local.exists() else shutil.which("terraform")


TERRAFORM = _terraform()
pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary (run ./dev setup)")

VERSIONS_TF = """\
terraform {
  required_providers {
    aws        = { source = "hashicorp/aws", version = "= 6.69.1" }
    random     = { source = "hashicorp/random", version = "= 3.9.1" }
    helm       = { source = "hashicorp/helm", version = "= 3.3.0" }
    kubernetes = { source = "hashicorp/kubernetes", version = "= 3.4.0" }
  }
}
"""

POLICY_TF = """\
data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "AssumeFromEc2AndEks"
    actions = ["sts:TagSession", "sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com", "eks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = ["123456789012"]
    }
  }
  statement {
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::b", "arn:aws:s3:::b/&{aws:username}/*"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}
"""

# Written by hand from the provider's rendering rules (policy_model.go): sets of several strings sorted in
# reverse, one value as a string, "&{" -> "${", Sid/Effect/Action/Resource/Principal/Condition order.
EXPECTED_POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AssumeFromEc2AndEks",
      "Effect": "Allow",
      "Action": [
        "sts:TagSession",
        "sts:AssumeRole"
      ],
      "Principal": {
        "Service": [
          "eks.amazonaws.com",
          "ec2.amazonaws.com"
        ]
      },
      "Condition": {
        "StringEquals": {
          "aws:SourceAccount": "123456789012"
        }
      }
    },
    {
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::b/${aws:username}/*",
        "arn:aws:s3:::b"
      ],
      "Condition": {
        "Bool": {
          "aws:SecureTransport": "false"
        }
      }
    }
  ]
}"""

APPLY_ROOT = (
    VERSIONS_TF
    + """
provider "aws" {
  region = "us-east-2"
}

resource "aws_vpc" "main" {
  cidr_block = "10.20.0.0/16"
  tags       = { Name = "standin" }
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.20.1.0/24"
}
"""
    + POLICY_TF
    + """
resource "aws_iam_role" "r" {
  name               = "standin-role"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

ephemeral "random_password" "db" {
  length  = 24
  special = false
}

resource "aws_secretsmanager_secret" "db" {
  name = "standin-db"
}

resource "aws_secretsmanager_secret_version" "db" {
  secret_id                = aws_secretsmanager_secret.db.id
  secret_string_wo         = ephemeral.random_password.db.result
  secret_string_wo_version = 1
}

# unknown at plan time (the VPC does not exist yet): read during apply. With dynamically typed list
# blocks this made Terraform 1.15 panic in objchange.PlannedDataResourceObject.
data "aws_iam_policy_document" "vpc" {
  statement {
    actions   = ["ec2:DescribeVpcs"]
    resources = [aws_vpc.main.arn]
  }
}

resource "random_id" "suffix" {
  byte_length = 4
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

output "vpc_id" { value = aws_vpc.main.id }
output "subnet_id" { value = aws_subnet.a.id }
output "subnet_vpc" { value = aws_subnet.a.vpc_id }
output "role_arn" { value = aws_iam_role.r.arn }
output "policy" { value = data.aws_iam_policy_document.trust.json }
output "role_policy" { value = aws_iam_role.r.assume_role_policy }
output "suffix" { value = random_id.suffix.hex }
output "vpc_policy" { value = data.aws_iam_policy_document.vpc.minified_json }
output "account" { value = data.aws_caller_identity.current.account_id }
output "partition" { value = data.aws_partition.current.partition }
output "region" { value = data.aws_region.current.region }
"""
)


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> StandinConfig:
    return install(tmp_path_factory.mktemp("standin"))


def tf(
    cfg: StandinConfig, root: Path, *args: str, extra_env: dict[str, str] | None = None, mock: bool = False
) -> subprocess.CompletedProcess[str]:
    assert TERRAFORM is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "TF_"))}
    env.update(cfg.env(mock=mock), CHECKPOINT_DISABLE="1", CLIENTCTL_STANDIN_LOG=str(root / "rpc.log"))
    env.pop("CLIENTCTL_STANDIN_MOCK", None) if not mock else None
    env.update(extra_env or {})
    return subprocess.run(
        [TERRAFORM, *args], cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def init(cfg: StandinConfig, root: Path) -> None:
    proc = tf(cfg, root, "init", "-backend=false", "-input=false", "-no-color")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def write_root(root: Path, main_tf: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "main.tf").write_text(main_tf)
    return root


def validate(cfg: StandinConfig, root: Path) -> dict[str, Any]:
    proc = tf(cfg, root, "validate", "-json", "-no-color")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def rpc_log(root: Path) -> list[str]:
    path = root / "rpc.log"
    return path.read_text().splitlines() if path.exists() else []


# --- install ---------------------------------------------------------------------------------------------


def test_install_is_idempotent_and_lays_out_a_filesystem_mirror(tmp_path: Path) -> None:
    first = install(tmp_path, warm_cache=False)
    snapshot = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    second = install(tmp_path, warm_cache=False)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == snapshot
    assert first == second
    exe = first.executables["aws"]
    assert exe.relative_to(first.mirror_dir).parts[:4] == ("registry.terraform.io", "hashicorp", "aws", "6.69.1")
    assert exe.name == "terraform-provider-aws_v6.69.1" and os.access(exe, os.X_OK)
    rc = first.cli_config_file.read_text()
    assert f'path    = "{first.mirror_dir}"' in rc and 'exclude = ["registry.terraform.io/hashicorp/*"]' in rc
    assert first.env() == {"TF_CLI_CONFIG_FILE": str(first.cli_config_file), "TF_IN_AUTOMATION": "1"}
    assert first.env(mock=True)["CLIENTCTL_STANDIN_MOCK"] == "1"


def test_run_without_terraform_explains_and_exits_1(standin: StandinConfig) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TF_PLUGIN_MAGIC_COOKIE"}
    proc = subprocess.run(
        [str(standin.executables["random"])], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.returncode == 1
    assert NOT_A_PLUGIN_MESSAGE.splitlines()[0] in proc.stderr
    assert "Traceback" not in proc.stderr


# --- validate --------------------------------------------------------------------------------------------

VALIDATE_ROOT = (
    VERSIONS_TF
    + """
provider "aws" {
  region = "us-east-2"
  default_tags {
    tags = { ManagedBy = "terraform" }
  }
}

provider "helm" {
  kubernetes = {
    host = "https://127.0.0.1:6443"
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token"]
    }
  }
}

provider "kubernetes" {
  host = "https://127.0.0.1:6443"
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
  timeouts {
    create = "5m"
  }
}

resource "random_id" "x" {
  byte_length = 4
}

# SDKv2 max-one blocks are lists: [0] must work (the untyped extract calls them "single")
resource "aws_instance" "i" {
  ami           = "ami-123"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "required"
  }
}

output "tokens" {
  value = aws_instance.i.metadata_options[0].http_tokens
}

ephemeral "random_password" "p" {
  length = 16
}

resource "aws_secretsmanager_secret_version" "v" {
  secret_id                = "s"
  secret_string_wo         = ephemeral.random_password.p.result
  secret_string_wo_version = 1
}

resource "kubernetes_namespace" "ns" {
  metadata {
    name = "demo"
  }
}

resource "helm_release" "r" {
  name  = "demo"
  chart = "demo"
  set = [{
    name  = "a"
    value = "b"
  }]
}
"""
)


def test_validate_passes_for_a_root_using_all_four_providers(standin: StandinConfig, tmp_path: Path) -> None:
    root = write_root(tmp_path / "root", VALIDATE_ROOT)
    init(standin, root)
    result = validate(standin, root)
    assert result["valid"] is True, result["diagnostics"]
    assert result["error_count"] == 0
    assert (root / ".terraform.lock.hcl").is_file()  # written in the temp copy only
    assert not any(line.startswith("aws ConfigureProvider") for line in rpc_log(root)), "validate configured aws"


@pytest.mark.parametrize(
    ("planted", "line_text", "summary"),
    [
        ('  no_such_argument = "x"\n', "no_such_argument", "Unsupported argument"),
        # a nested block given as an argument: the schema's block/attribute split is enforced
        ('  timeouts = { create = "5m" }\n', "timeouts", "Unsupported argument"),
        (
            "  ipv6_cidr_block = aws_vpc.missing.ipv6_cidr_block\n",
            "aws_vpc.missing",
            "Reference to undeclared resource",
        ),
    ],
)
def test_validate_reports_planted_mistakes_with_file_and_line(
    standin: StandinConfig, tmp_path: Path, planted: str, line_text: str, summary: str
) -> None:
    text = VALIDATE_ROOT.replace(
        '  cidr_block = "10.0.1.0/24"\n  timeouts {\n    create = "5m"\n  }\n',
        '  cidr_block = "10.0.1.0/24"\n' + planted,
    )
    assert text != VALIDATE_ROOT
    root = write_root(tmp_path / "root", text)
    init(standin, root)
    result = validate(standin, root)
    assert result["valid"] is False
    expected_line = next(i for i, line in enumerate(text.splitlines(), 1) if line_text in line)
    hits = [
        d
        for d in result["diagnostics"]
        if d["summary"] == summary
        and d["range"]["filename"] == "main.tf"
        and d["range"]["start"]["line"] == expected_line
    ]
    assert hits, result["diagnostics"]


def test_validate_reports_a_missing_required_argument(standin: StandinConfig, tmp_path: Path) -> None:
    text = VALIDATE_ROOT.replace("  vpc_id     = aws_vpc.main.id\n", "")
    root = write_root(tmp_path / "root", text)
    init(standin, root)
    result = validate(standin, root)
    assert any(
        d["summary"] == "Missing required argument" and 'argument "vpc_id" is required' in d["detail"]
        for d in result["diagnostics"]
    ), result["diagnostics"]


def _typed_random_schema(directory: Path) -> None:
    """A typed (full block format) random schema, as the typed extract will look: proves that path."""
    directory.mkdir(parents=True, exist_ok=True)
    attrs = {
        "id": {"type": "string", "computed": True},
        "length": {"type": "number", "required": True},
        "special": {"type": "bool", "optional": True, "computed": True},
        "keepers": {"type": ["map", "string"], "optional": True},
        "result": {"type": "string", "computed": True, "sensitive": True},
    }
    data = {
        "provider_source": "registry.terraform.io/hashicorp/random",
        "provider_version": "3.9.1",
        "provider": {"attributes": {}},
        "resource_schemas": {"random_password": {"attributes": attrs}},
        "data_source_schemas": {},
        "ephemeral_resource_schemas": {},
    }
    (directory / "random-3.9.1.json.gz").write_bytes(gzip.compress(json.dumps(data).encode()))


def test_typed_schema_files_make_terraform_check_value_types(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    _typed_random_schema(schemas)
    cfg = install(tmp_path / "standin", providers=("random",), schema_dir=schemas)
    head = 'terraform {\n  required_providers {\n    random = { source = "hashicorp/random", version = "= 3.9.1" }\n  }\n}\n'
    good = write_root(tmp_path / "good", head + 'resource "random_password" "p" {\n  length = 12\n}\n')
    init(cfg, good)
    assert validate(cfg, good)["valid"] is True
    bad_text = head + 'resource "random_password" "p" {\n  length  = 12\n  keepers = ["not", "a", "map"]\n}\n'
    bad = write_root(tmp_path / "bad", bad_text)
    init(cfg, bad)
    result = validate(cfg, bad)
    assert any(
        d["summary"] == "Incorrect attribute value type" and d["range"]["start"]["line"] == 8
        for d in result["diagnostics"]
    ), result["diagnostics"]
    # and a typed apply returns typed values (number result of a typed attribute, string id)
    proc = tf(cfg, good, "apply", "-auto-approve", "-input=false", "-no-color")
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- plan / apply / destroy ------------------------------------------------------------------------------

LOOPBACK = {"AWS_ENDPOINT_URL": "http://127.0.0.1:1"}


def _apply_outputs(cfg: StandinConfig, root: Path) -> dict[str, Any]:
    init(cfg, root)
    proc = tf(cfg, root, "apply", "-auto-approve", "-input=false", "-no-color", extra_env=LOOPBACK)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = tf(cfg, root, "output", "-json")
    assert out.returncode == 0, out.stderr
    return {k: v["value"] for k, v in json.loads(out.stdout).items()}


def test_plan_apply_replan_destroy(standin: StandinConfig, tmp_path: Path) -> None:
    root = write_root(tmp_path / "one", APPLY_ROOT)
    outputs = _apply_outputs(standin, root)

    assert re.fullmatch(r"aws_vpc-[0-9a-f]{12}", outputs["vpc_id"])
    assert re.fullmatch(r"aws_subnet-[0-9a-f]{12}", outputs["subnet_id"])
    assert outputs["subnet_vpc"] == outputs["vpc_id"]
    assert re.fullmatch(r"arn:aws:iam::123456789012:role/aws_iam_role-[0-9a-f]{12}", outputs["role_arn"])
    assert outputs["policy"] == EXPECTED_POLICY
    assert outputs["role_policy"] == EXPECTED_POLICY
    assert re.fullmatch(r"[0-9a-f]{8}", outputs["suffix"])
    vpc_arn = json.loads(outputs["vpc_policy"])["Statement"][0]["Resource"]
    assert re.fullmatch(r"arn:aws:ec2:us-east-2:123456789012:vpc/aws_vpc-[0-9a-f]{12}", vpc_arn)
    assert outputs["vpc_policy"] == (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeVpcs","Resource":"'
        + vpc_arn
        + '"}]}'
    )
    assert (outputs["account"], outputs["partition"], outputs["region"]) == ("123456789012", "aws", "us-east-2")

    state = json.loads((root / "terraform.tfstate").read_text())
    secret_versions = [r for r in state["resources"] if r["type"] == "aws_secretsmanager_secret_version"]
    assert secret_versions[0]["instances"][0]["attributes"]["secret_string_wo"] is None  # write-only: not stored

    # deterministic: the same configuration elsewhere gives the same ids
    again = _apply_outputs(standin, write_root(tmp_path / "two", APPLY_ROOT))
    assert again == outputs

    replan = tf(standin, root, "plan", "-detailed-exitcode", "-input=false", "-no-color", extra_env=LOOPBACK)
    assert replan.returncode == 0, replan.stdout + replan.stderr
    assert "No changes." in replan.stdout

    destroy = tf(standin, root, "destroy", "-auto-approve", "-input=false", "-no-color", extra_env=LOOPBACK)
    assert destroy.returncode == 0, destroy.stdout + destroy.stderr
    assert json.loads((root / "terraform.tfstate").read_text())["resources"] == []


SES_ROOT = (
    VERSIONS_TF
    + """
provider "aws" {
  region = "us-east-2"
}

resource "aws_sesv2_email_identity" "zone" {
  email_identity = "acme-corp.example.com"
  dkim_signing_attributes {
    next_signing_key_length = "RSA_2048_BIT"
  }
}

output "identity" {
  value = {
    arn    = aws_sesv2_email_identity.zone.arn
    type   = aws_sesv2_email_identity.zone.identity_type
    length = aws_sesv2_email_identity.zone.dkim_signing_attributes[0].next_signing_key_length
    tokens = aws_sesv2_email_identity.zone.dkim_signing_attributes[0].tokens
  }
}
"""
)


def test_ses_domain_identity_gets_three_dkim_tokens(standin: StandinConfig, tmp_path: Path) -> None:
    """Layer 05 publishes dkim_signing_attributes[0].tokens[0..2] as CNAMEs: the stand-in returns three, as SES
    does, inside the configured block, whose configured attributes stay as they are."""
    identity = _apply_outputs(standin, write_root(tmp_path / "ses", SES_ROOT))["identity"]
    assert identity["arn"] == "arn:aws:ses:us-east-2:123456789012:identity/acme-corp.example.com"
    assert identity["type"] == "DOMAIN" and identity["length"] == "RSA_2048_BIT"
    assert len(identity["tokens"]) == 3 and len(set(identity["tokens"])) == 3
    assert all(re.fullmatch(r"[0-9a-f]{32}", t) for t in identity["tokens"])


@pytest.mark.parametrize(
    ("env", "mock", "expect"),
    [
        ({"AWS_ENDPOINT_URL": "https://ec2.us-east-2.amazonaws.com"}, False, "not loopback: AWS_ENDPOINT_URL="),
        ({"AWS_ENDPOINT_URL_S3": "https://s3.amazonaws.com", **LOOPBACK}, True, "AWS_ENDPOINT_URL_S3="),
        ({}, False, "no AWS endpoint is configured"),
    ],
)
def test_aws_standin_refuses_non_loopback_endpoints(
    standin: StandinConfig, tmp_path: Path, env: dict[str, str], mock: bool, expect: str
) -> None:
    root = write_root(tmp_path / "root", VERSIONS_TF + 'provider "aws" {\n  region = "us-east-2"\n}\n' + POLICY_TF)
    init(standin, root)
    proc = tf(standin, root, "plan", "-input=false", "-no-color", extra_env=env, mock=mock)
    assert proc.returncode == 1
    assert "Refusing to configure the aws provider stand-in" in proc.stderr
    assert expect in proc.stderr.replace("\n", " ")


def test_aws_standin_refuses_non_loopback_provider_endpoints(standin: StandinConfig, tmp_path: Path) -> None:
    provider = (
        'provider "aws" {\n  region = "us-east-2"\n  endpoints {\n    sts = "https://sts.amazonaws.com"\n  }\n}\n'
    )
    root = write_root(tmp_path / "root", VERSIONS_TF + provider + POLICY_TF)
    init(standin, root)
    proc = tf(standin, root, "plan", "-input=false", "-no-color", extra_env=LOOPBACK)
    assert proc.returncode == 1
    assert "endpoints.sts = 'https://sts.amazonaws.com'" in proc.stderr.replace("\n", " ")


def test_mock_env_allows_no_endpoint_and_kubernetes_refuses_remote_host(standin: StandinConfig, tmp_path: Path) -> None:
    ok_root = write_root(tmp_path / "ok", VERSIONS_TF + 'provider "aws" {\n  region = "us-east-2"\n}\n' + POLICY_TF)
    init(standin, ok_root)
    ok = tf(standin, ok_root, "plan", "-input=false", "-no-color", mock=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    k8s = 'provider "kubernetes" {\n  host = "https://k8s.example.com"\n}\nresource "kubernetes_namespace" "n" {\n  metadata {\n    name = "x"\n  }\n}\n'
    root = write_root(tmp_path / "k8s", VERSIONS_TF + k8s)
    init(standin, root)
    proc = tf(standin, root, "plan", "-input=false", "-no-color")
    assert proc.returncode == 1
    assert "only accepts a loopback Kubernetes host" in proc.stderr.replace("\n", " ")


def test_terraform_test_with_mock_provider(standin: StandinConfig, tmp_path: Path) -> None:
    root = write_root(
        tmp_path / "root",
        VERSIONS_TF
        + 'provider "aws" {\n  region = "us-east-2"\n}\nresource "aws_vpc" "main" {\n  cidr_block = "10.9.0.0/16"\n}\n',
    )
    (root / "tests").mkdir()
    (root / "tests" / "vpc.tftest.hcl").write_text(
        'mock_provider "aws" {}\n\n'
        'run "vpc" {\n  command = apply\n\n  assert {\n    condition     = aws_vpc.main.cidr_block == "10.9.0.0/16"\n'
        '    error_message = "cidr"\n  }\n}\n'
    )
    init(standin, root)
    proc = tf(standin, root, "test", "-no-color")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed, 0 failed" in proc.stdout
    assert not any(line.startswith("aws ConfigureProvider") for line in rpc_log(root))


# --- policy documents beyond the Terraform run -----------------------------------------------------------


def test_policy_document_merges_source_and_override_documents() -> None:
    source = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Keep", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                {"Sid": "Replace", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            ],
        }
    )
    override = json.dumps(
        {
            "Statement": [
                {
                    "Sid": "Replace",
                    "Effect": "Deny",
                    "Action": "s3:DeleteObject",
                    "Resource": "*",
                    "Principal": {"AWS": ["b", "a"]},
                }
            ]
        }
    )
    cfg = {
        "source_policy_documents": [source],
        "override_policy_documents": [override],
        "statement": [{"sid": "Own", "effect": None, "actions": ["ec2:Describe*"], "resources": ["*"]}],
    }
    doc = json.loads(render_policy_document(cfg)["json"])
    assert [s["Sid"] for s in doc["Statement"]] == ["Keep", "Replace", "Own"]
    assert doc["Statement"][1] == {
        "Sid": "Replace",
        "Effect": "Deny",
        "Action": "s3:DeleteObject",
        "Resource": "*",
        "Principal": {"AWS": ["b", "a"]},
    }
    assert doc["Statement"][2]["Effect"] == "Allow"


def test_policy_document_go_json_details() -> None:
    rendered = render_policy_document(
        {
            "statement": [
                {
                    "actions": ["s3:GetObject"],
                    "resources": ["arn:aws:s3:::a&b"],
                    "principals": [{"type": "*", "identifiers": ["*"]}],
                }
            ]
        }
    )
    assert rendered["minified_json"] == (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",'
        '"Resource":"arn:aws:s3:::a\\u0026b","Principal":"*"}]}'
    )
    import zlib

    assert rendered["id"] == str(zlib.crc32(rendered["json"].encode()))


def test_standin_exits_when_terraform_dies_without_shutdown(standin: StandinConfig, tmp_path: Path) -> None:
    """A crashed Terraform sends no Shutdown RPC; the orphaned stand-in must not linger."""
    import sys
    import time

    launcher = (
        "import os, subprocess, sys\n"
        "p = subprocess.Popen([sys.argv[1]], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)\n"
        "line = p.stdout.readline()\n"
        "print(p.pid, line.strip(), flush=True)\n"
        "os._exit(0)\n"
    )
    env = {**os.environ, "TF_PLUGIN_MAGIC_COOKIE": "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"}
    env.pop("PLUGIN_CLIENT_CERT", None)
    out = subprocess.run(
        [sys.executable, "-c", launcher, str(standin.executables["random"])],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    pid, handshake = int(out[0]), out[1]
    assert handshake.startswith("1|6|unix|")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(pid, 15)
    pytest.fail("the orphaned stand-in was still running 10 s after its parent died")
