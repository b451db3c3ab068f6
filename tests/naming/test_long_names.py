"""Issue 13.1: every client name the registry accepts fits every AWS limit, and short names never change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clientctl import naming
from tests.helpers import Runner


def test_fit_keeps_names_that_fit_and_shortens_the_rest_deterministically() -> None:
    assert naming.fit("acme-corp-production-us-east-2-cluster", 64) == "acme-corp-production-us-east-2-cluster"
    long = "new-client-name-production-us-east-2-aws-load-balancer-controller"
    assert len(long) == 65
    short = naming.fit(long, 64)
    assert len(short) <= 64 and short.startswith("new-client-name-production-us-east-2-aws-load-balancer")
    assert short == naming.fit(long, 64)
    assert naming.fit(long + "x", 64) != short


@pytest.mark.parametrize("length", [15, 30, 45, naming.CLIENT_NAME_MAX])
def test_every_derived_name_of_a_long_client_fits_its_limit(length: int) -> None:
    client = ("a" * (length - 2)) + "-b"
    names = naming.ClientNames(client, "production", "us-east-2", "ohio-01", "clients.example.com")
    for description, rule, name in names.checked_names():
        assert naming.check_name(rule, name) is None, description
    assert len(set(names.iam_roles.values())) == len(names.iam_roles)


def test_the_runbooks_example_client_is_accepted_and_renders(repo: Path, cli: Runner) -> None:
    result = cli("client", "add", "new-client-name", "--contact-email", "ops@new.example", cwd=repo)
    assert result.code == 0, result.text
    assert cli("validate", "--only", "registry", cwd=repo).code == 0
    tfvars = json.loads(next(repo.glob("providers/**/05-cluster-services/*/clients.auto.tfvars.json")).read_text())
    roles = tfvars["clients"]["new-client-name"]["names"]["iam_roles"]
    assert all(len(r) <= 64 for r in roles.values())
    assert roles["aws-load-balancer-controller"] == naming.fit(
        "new-client-name-production-us-east-2-aws-load-balancer-controller", 64
    )


def test_sample_clients_keep_their_names(repo: Path, cli: Runner) -> None:
    """No hash suffix on any shipped client: rendering changes no committed file."""
    result = cli("render", "--check", cwd=repo)
    assert result.code == 0, result.text
    tfvars = json.loads(next(repo.glob("providers/**/02-platform/*/clients.auto.tfvars.json")).read_text())
    for client, entry in tfvars["clients"].items():
        assert entry["names"]["cluster"] == f"{client}-production-us-east-2"
        assert entry["names"]["iam_roles"]["aws-load-balancer-controller"] == (
            f"{client}-production-us-east-2-aws-load-balancer-controller"
        )


@pytest.mark.parametrize("length", [9, naming.CLIENT_NAME_MAX])
def test_alertmanager_smtp_names_are_rendered_and_fit(length: int) -> None:
    """The SES SMTP sender of layer 05/06: an IAM user within IAM's 64 characters, its secret, the sender."""
    client = ("a" * (length - 2)) + "-b"
    names = naming.ClientNames(client, "production", "us-east-2", "ohio-01", "clients.example.com")
    user = names.iam_users["alertmanager-smtp"]
    assert naming.check_name("iam_user", user) is None and len(user) <= 64
    assert ("IAM user 'alertmanager-smtp'", "iam_user", user) in names.checked_names()
    if length == 9:
        assert user == f"{client}-production-us-east-2-alertmanager-smtp"  # short names are never hashed
    else:
        assert user == naming.fit(f"{client}-production-us-east-2-alertmanager-smtp", 64)
        assert len(user) == 64
    rendered = names.as_dict(["us-east-2a"])
    assert rendered["iam_users"] == {"alertmanager-smtp": user}
    assert rendered["secrets"]["alertmanager-smtp"] == f"ohio-01/production/{client}/alertmanager-smtp"  # type: ignore[index]
    assert rendered["email_senders"] == {"alertmanager": f"alertmanager@{client}.clients.example.com"}


def test_check_name_rejects_a_long_iam_user() -> None:
    problem = naming.check_name("iam_user", "u" * 65)
    assert problem is not None and "IAM user name" in problem and "64" in problem
