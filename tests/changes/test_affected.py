"""`clientctl affected` on a temporary git repository holding the shipped registry and Terraform: each change
selects exactly the (client, layer) pairs that consume it (issue 11)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from clientctl.changes import affected
from clientctl.layers import LAYER_NAMES
from tests.conftest import git
from tests.helpers import Runner

REPO = Path(__file__).resolve().parents[2]
CLIENTS = ("acme-corp", "globex", "initech")
ROOT = "providers/aws/regions/us-east-2/layers/{}/production"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def commit(root: Path, message: str = "change") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def pairs(root: Path, **kwargs: str) -> set[tuple[str, str, str]]:
    return {(n.client, n.layer, n.action) for n in affected(root, **kwargs).nodes}


def every(clients: tuple[str, ...], layers: tuple[str, ...] | list[str]) -> set[tuple[str, str, str]]:
    return {(c, layer, "apply") for c in clients for layer in layers}


DOWNSTREAM_OF_PLATFORM = ("02-platform", "05-cluster-services", "06-observability")


def test_one_client_value_selects_that_client_and_its_downstream_layers(gitrepo: Path) -> None:
    edit(gitrepo / "clients/acme-corp.yaml", "desired_size: 2", "desired_size: 4")
    commit(gitrepo)
    result = affected(gitrepo, head="HEAD")
    assert {(n.client, n.layer, n.action) for n in result.nodes} == every(("acme-corp",), DOWNSTREAM_OF_PLATFORM)
    first = result.nodes[0]
    assert (first.layer, first.reasons) == (
        "02-platform",
        ("clients/acme-corp.yaml -> rendered eks.desired_size (2 -> 4) -> 02-platform -> acme-corp",),
    )
    assert result.base_label == "merge base of HEAD and main"
    assert result.warnings == []


def test_a_value_one_layer_does_not_declare_selects_only_the_layer_that_reads_it(gitrepo: Path) -> None:
    # database.* is declared by 03-database's `variable "clients"` type only.
    text = (gitrepo / "clients/globex.yaml").read_text(encoding="utf-8")
    assert "database:" in text
    edit(gitrepo / "clients/globex.yaml", "database:", "database:\n  data_volume_size: 777")
    assert pairs(gitrepo) == every(("globex",), ("03-database",))


def test_a_comment_or_reordering_in_a_client_file_selects_nothing(gitrepo: Path) -> None:
    path = gitrepo / "clients/initech.yaml"
    path.write_text("# reviewed 2026-12-03\n" + path.read_text(encoding="utf-8") + "\n# end\n", encoding="utf-8")
    commit(gitrepo)
    result = affected(gitrepo, head="HEAD")
    assert result.changed_files == ["clients/initech.yaml"]
    assert result.nodes == []


def test_the_tagging_module_selects_every_client_and_every_layer(gitrepo: Path) -> None:
    main = gitrepo / "modules/tagging/main.tf"
    main.write_text(main.read_text(encoding="utf-8") + "\nlocals {\n  unused = 1\n}\n", encoding="utf-8")
    commit(gitrepo)
    assert pairs(gitrepo, head="HEAD") == every(CLIENTS, LAYER_NAMES)


def test_a_nested_module_selects_the_layers_that_reach_it_and_their_downstream(gitrepo: Path) -> None:
    # hardened-instance is called by postgres-cluster (03) and standalone-compute (04), neither has downstream.
    variables = gitrepo / "modules/hardened-instance/variables.tf"
    variables.write_text(variables.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    commit(gitrepo)
    result = affected(gitrepo, head="HEAD")
    assert {(n.client, n.layer, n.action) for n in result.nodes} == every(
        CLIENTS, ("03-database", "04-standalone-compute")
    )
    why = next(n for n in result.nodes if n.layer == "03-database").reasons
    assert why == (
        "modules/hardened-instance/variables.tf changed -> 03-database -> modules/postgres-cluster calls "
        "modules/hardened-instance -> 03-database -> acme-corp",
    )
    # irsa-role: shared-services (05) and observability-per-client (06); 06 is downstream of 05 anyway.
    main = gitrepo / "modules/irsa-role/main.tf"
    main.write_text(main.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert pairs(gitrepo, base="HEAD") == every(CLIENTS, ("05-cluster-services", "06-observability"))


def test_a_layer_root_selects_all_its_clients_and_their_downstream_layers(gitrepo: Path) -> None:
    main = gitrepo / ROOT.format("05-cluster-services") / "main.tf"
    main.write_text(main.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert pairs(gitrepo) == every(CLIENTS, ("05-cluster-services", "06-observability"))


def test_tests_docs_and_rendered_files_of_a_layer_select_nothing(gitrepo: Path) -> None:
    folder = gitrepo / ROOT.format("01-foundation")
    (folder / "README.md").write_text("changed\n", encoding="utf-8")
    tests = sorted(folder.glob("tests/*.tftest.hcl"))
    assert tests, "the layer has terraform test files"
    tests[0].write_text(tests[0].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    (folder / "backend.hcl").write_text("# hand edit; render --check catches it\n", encoding="utf-8")
    result = affected(gitrepo)
    assert len(result.changed_files) == 3
    assert result.nodes == []


def test_platform_settings_select_what_renders_differently(gitrepo: Path) -> None:
    # management_cidrs are read by the layers whose `variable "settings"` declares them.
    edit(
        gitrepo / "platform.yaml",
        "management_cidrs: [203.0.113.0/24]",
        "management_cidrs: [203.0.113.0/24, 192.0.2.0/24]",
    )
    readers = [
        layer
        for layer in LAYER_NAMES
        if "management_cidrs" in (gitrepo / ROOT.format(layer) / "variables.tf").read_text(encoding="utf-8")
    ]
    assert readers, "some layer reads settings.management_cidrs"
    downstream = {"01-foundation": LAYER_NAMES, "02-platform": DOWNSTREAM_OF_PLATFORM}
    expected = set().union(*(every(CLIENTS, downstream.get(layer, (layer,))) for layer in readers))
    assert pairs(gitrepo) == expected


def test_a_removed_client_is_destroyed_in_reverse_order_and_an_added_one_applied(gitrepo: Path) -> None:
    (gitrepo / "clients/initech.yaml").unlink()
    shutil.copy(gitrepo / "clients/globex.yaml", gitrepo / "clients/hooli.yaml")
    edit(gitrepo / "clients/hooli.yaml", "name: globex", "name: hooli")
    commit(gitrepo)
    nodes = affected(gitrepo, head="HEAD").nodes
    assert [(n.client, n.layer, n.action) for n in nodes] == [
        *[("hooli", layer, "apply") for layer in LAYER_NAMES],
        *[("initech", layer, "destroy") for layer in reversed(LAYER_NAMES)],
    ]


def test_uncommitted_and_untracked_changes_are_included_with_a_warning(gitrepo: Path) -> None:
    edit(gitrepo / "clients/acme-corp.yaml", "desired_size: 2", "desired_size: 5")
    result = affected(gitrepo)
    assert {n.layer for n in result.nodes} == set(DOWNSTREAM_OF_PLATFORM)
    assert len(result.warnings) == 1 and "uncommitted or untracked" in result.warnings[0]
    assert affected(gitrepo, head="HEAD").nodes == []  # the commit itself holds no change


def test_cli_why_and_json(gitrepo: Path, cli: Runner) -> None:
    edit(gitrepo / "clients/acme-corp.yaml", "desired_size: 2", "desired_size: 4")
    result = cli("affected", "--why", cwd=gitrepo)
    assert result.code == 0, result.text
    assert "acme-corp  02-platform" in result.out
    assert "because clients/acme-corp.yaml -> rendered eks.desired_size (2 -> 4) -> 02-platform" in result.out
    data = json.loads(cli("-o", "json", "affected", cwd=gitrepo).out)
    assert data["ok"] is True
    assert [(n["client"], n["layer"]) for n in data["nodes"]] == [("acme-corp", ly) for ly in DOWNSTREAM_OF_PLATFORM]


def test_bad_revision_is_a_usage_error_naming_it(gitrepo: Path, cli: Runner) -> None:
    result = cli("affected", "--base", "no-such-branch", cwd=gitrepo)
    assert result.code == 2
    assert "no-such-branch" in result.err and "hint:" in result.err
    assert "Traceback" not in result.text


def test_plan_affected_with_nothing_affected_runs_nothing(gitrepo: Path, cli: Runner) -> None:
    result = cli("plan", "--affected", cwd=gitrepo)
    assert result.code == 0, result.text
    assert "nothing affected" in result.out
    assert not (gitrepo / ".clientctl" / "runs").exists()
    refused = cli("plan", "--all", "--base", "main", cwd=gitrepo)
    assert refused.code == 2 and "--affected" in refused.err
