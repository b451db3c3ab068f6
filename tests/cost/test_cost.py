"""`clientctl cost estimate` (issue #7, part 6): offline estimates, the price table and its refresh."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from clientctl.cost.estimate import Assumptions, estimate_client
from clientctl.cost.pricelist import PriceListError, build_table
from clientctl.cost.prices import load_prices, price_file
from clientctl.rules import load_registry
from tests.helpers import Runner

REPO = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "ec2-offer-us-east-2-mini.json"

# The three sample clients with the committed table (us-east-2 list prices as of 2025-06-01).
EXPECTED = {"acme-corp": 502.99, "globex": 1245.57, "initech": 289.97}


def estimate_json(cli: Runner, repo: Path, *args: str) -> dict[str, object]:
    result = cli("cost", "estimate", *args, "--output", "json", cwd=repo)
    assert result.code == 0, result.text
    data: dict[str, object] = json.loads(result.out)
    return data


def test_sample_clients_totals_and_lines_add_up(repo: Path, cli: Runner) -> None:
    data = estimate_json(cli, repo, "--all")
    clients = {c["client"]: c for c in data["clients"]}  # type: ignore[attr-defined]
    assert {name: c["monthly_total"] for name, c in clients.items()} == EXPECTED
    assert data["monthly_total"] == pytest.approx(sum(EXPECTED.values()))
    for client in clients.values():
        assert sum(Decimal(str(line["monthly"])) for line in client["lines"]) == Decimal(str(client["monthly_total"]))
        assert sum(Decimal(str(v)) for v in client["by_layer"].values()) == Decimal(str(client["monthly_total"]))
    acme = {line["item"]: line for line in clients["acme-corp"]["lines"]}
    assert acme["EKS control plane"]["monthly"] == 73.0  # $0.10/h x 730 h
    assert acme["EKS nodes"]["quantity"] == 2 * 730 and acme["EKS nodes"]["unit_price"] == 0.0416
    assert acme["NAT gateways"]["quantity"] == 730  # standard: one NAT gateway
    assert acme["PostgreSQL replica"]["unit_price"] == 0.126
    assert acme["PostgreSQL volumes (gp3)"]["quantity"] == 2 * (100 + 50 + 200 + 20)
    assert acme["analytics volumes (gp3)"]["quantity"] == 130
    assert acme["Prometheus volumes (gp3)"]["quantity"] == 50
    globex = {line["item"]: line for line in clients["globex"]["lines"]}
    assert globex["NAT gateways"]["quantity"] == 3 * 730  # premium, 3 AZs: one per AZ
    assert globex["Prometheus volumes (gp3)"]["quantity"] == 200  # 2 replicas x 100 Gi
    initech = {line["item"]: line for line in clients["initech"]["lines"]}
    assert initech["EKS nodes"]["unit_price"] == pytest.approx(0.0416 * 0.4)  # SPOT discount 0.60
    assert "PostgreSQL replica" not in initech and "analytics instance" not in initech
    assert data["price_tables"]["us-east-2"]["as_of"] == "2025-06-01"  # type: ignore[index]


def test_table_output_shows_breakdown_prices_and_assumptions(repo: Path, cli: Runner) -> None:
    result = cli("cost", "estimate", "acme-corp", cwd=repo)
    assert result.code == 0, result.text
    assert "acme-corp (standard tier, us-east-2): $502.99 per month" in result.out
    for needle in ("EKS control plane", "$73.00", "PostgreSQL master", "Loki volume", "total", "as of 2025-06-01"):
        assert needle in result.out
    assert "NAT data processing: 100 GB per month" in result.out
    assert "not included:" in result.out


def test_global_output_json_and_nat_gb(repo: Path, cli: Runner) -> None:
    result = cli("--output", "json", "cost", "estimate", "initech", "--nat-gb", "1000", cwd=repo)
    assert result.code == 0, result.text
    lines = {line["item"]: line for line in json.loads(result.out)["clients"][0]["lines"]}
    assert lines["NAT data processing"]["monthly"] == 45.0


def test_compare_tiers(repo: Path, cli: Runner) -> None:
    data = estimate_json(cli, repo, "acme-corp", "--compare-tiers")
    acme = data["clients"][0]  # type: ignore[index]
    tiers = acme["compare_tiers"]
    assert list(tiers) == ["standard", "premium"]
    assert tiers["standard"]["monthly_total"] == acme["monthly_total"] and tiers["standard"]["difference"] == 0
    assert tiers["premium"]["monthly_total"] > acme["monthly_total"]
    # acme pins its node/database/analytics sizes: premium changes NAT (one per AZ) and observability only
    premium = {line["item"]: line for line in tiers["premium"]["lines"]}
    assert premium["NAT gateways"]["quantity"] == 2 * 730 and premium["EKS nodes"]["unit_price"] == 0.0416
    table = cli("cost", "estimate", "initech", "--compare-tiers", cwd=repo)
    assert table.code == 0
    assert "standard *" in table.out and "premium" in table.out and "vs standard (current)" in table.out


def test_csv_rows_match_json(repo: Path, cli: Runner) -> None:
    result = cli("cost", "estimate", "--all", "--output", "csv", cwd=repo)
    assert result.code == 0, result.text
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert rows[0].keys() >= {"client", "tier", "layer", "item", "quantity", "unit_price_usd", "monthly_usd"}
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row["client"]] = totals.get(row["client"], Decimal(0)) + Decimal(row["monthly_usd"])
    assert {k: float(v) for k, v in totals.items()} == EXPECTED
    compare = cli("cost", "estimate", "globex", "--output", "csv", "--compare-tiers", cwd=repo)
    assert {r["tier"] for r in csv.DictReader(io.StringIO(compare.out))} == {"standard", "premium"}


def bad(result_code: int, text: str, *needles: str) -> None:
    assert result_code == 2, text
    assert "Traceback" not in text
    for needle in needles:
        assert needle in text, f"{needle!r} missing from:\n{text}"


def test_unknown_client_suggests_closest(repo: Path, cli: Runner) -> None:
    result = cli("cost", "estimate", "acme-crop", cwd=repo)
    bad(result.code, result.text, "unknown client 'acme-crop'", "did you mean 'acme-corp'")


def test_unknown_instance_type_names_type_and_file(repo: Path, cli: Runner) -> None:
    path = repo / "clients/initech.yaml"
    path.write_text(
        path.read_text().replace("  capacity_type: SPOT", "  capacity_type: SPOT\n  instance_types: [t3.mediun]")
    )
    result = cli("cost", "estimate", "initech", cwd=repo)
    bad(result.code, result.text, "'t3.mediun'", "us-east-2.json", "did you mean 't3.medium'", "refresh_prices.py")
    as_json = cli("--output", "json", "cost", "estimate", "initech", cwd=repo)
    assert as_json.code == 2 and json.loads(as_json.out)["ok"] is False


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        ((), ("name at least one client", "--all")),
        (("acme-corp", "--all"), ("not both",)),
        (("--all", "--nat-gb", "-5"), ("--nat-gb",)),
        (("--all", "--output", "xml"), ("'xml' is not one of",)),
        (("--all", "--bogus"), ("No such option '--bogus'",)),
        (("--all", "--price-file", "missing.json"), ("price table missing.json not found",)),
    ],
)
def test_malformed_arguments(repo: Path, cli: Runner, args: tuple[str, ...], needles: tuple[str, ...]) -> None:
    result = cli("cost", "estimate", *args, cwd=repo)
    bad(result.code, result.text, *needles)


def test_bad_price_files(repo: Path, cli: Runner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = cli("cost", "estimate", "--all", "--price-file", str(broken), cwd=repo)
    bad(result.code, result.text, "broken.json", "not valid JSON")
    other = tmp_path / "other.json"
    other.write_text(price_file("us-east-2").read_text().replace('"region": "us-east-2"', '"region": "eu-west-1"'))
    result = cli("cost", "estimate", "--all", "--price-file", str(other), cwd=repo)
    bad(result.code, result.text, "is for region 'eu-west-1'")
    negative = tmp_path / "negative.json"
    negative.write_text(
        price_file("us-east-2").read_text().replace('"ebs_gp3_gb_month": "0.08"', '"ebs_gp3_gb_month": "-1"')
    )
    result = cli("cost", "estimate", "--all", "--price-file", str(negative), cwd=repo)
    bad(result.code, result.text, "ebs_gp3_gb_month")


def test_committed_table_is_dated_sourced_complete_and_stable() -> None:
    path = price_file("us-east-2")
    table = load_prices(path)
    assert table.as_of.isoformat() == "2025-06-01" and "list prices" in table.source
    assert table.to_json() == path.read_text()  # what refresh_prices.py writes is byte-identical
    registry = load_registry(REPO)
    used = set()
    for tier in registry.platform.tiers.values():
        used |= {*tier.eks.instance_types, tier.database.instance_type, tier.compute.instance_type}
    for loaded in registry.clients.values():
        c = loaded.model
        used |= {*(c.eks.instance_types or []), c.database.instance_type or "", c.compute.instance_type or ""} - {""}
    alternatives = {"t3.medium", "t3.large", "t3.xlarge", "m6i.large", "m6i.xlarge", "m6a.large", "m6a.xlarge"}
    alternatives |= {"r6i.large", "r6i.xlarge", "r6i.2xlarge", "r5.large", "r5.xlarge"}
    assert used | alternatives <= set(table.instances)


def test_disabled_parts_are_not_priced() -> None:
    registry = load_registry(REPO)
    client = registry.clients["acme-corp"].model
    client = client.model_copy(
        update={
            "eks": client.eks.model_copy(update={"enabled": False}),
            "database": client.database.model_copy(update={"enabled": False}),
        }
    )
    est = estimate_client(registry.platform, client, load_prices(price_file("us-east-2")), Assumptions())
    assert {line.layer for line in est.lines} == {"01-foundation", "04-standalone-compute"}


def test_build_table_from_offer_fixture() -> None:
    base = load_prices(price_file("us-east-2"))
    offer = json.loads(FIXTURE.read_text())
    table = build_table(offer, "us-east-2", ["t3.medium", "m6i.large", "r6i.large"], base)
    # Linux/shared/no software/used only: Windows, dedicated, SQL, reservation and us-east-1 SKUs ignored
    assert table.instances == {
        "t3.medium": Decimal("0.042"),
        "m6i.large": Decimal("0.096"),
        "r6i.large": Decimal("0.13"),
    }
    assert (table.nat_gateway_hourly, table.nat_gateway_per_gb, table.ebs_gp3_gb_month) == (
        Decimal("0.045"),
        Decimal("0.045"),
        Decimal("0.08"),
    )
    assert table.as_of.isoformat() == "2025-06-10" and "20250610000000" in table.source
    assert table.eks_cluster_hourly == base.eks_cluster_hourly and table.spot_discount == base.spot_discount
    with pytest.raises(PriceListError, match=r"c7g\.large"):
        build_table(offer, "us-east-2", ["t3.medium", "c7g.large"], base)
    with pytest.raises(PriceListError, match="not an AmazonEC2"):
        build_table({"offerCode": "AmazonS3", "products": {}}, "us-east-2", [], base)


def test_refresh_script_on_fixture(tmp_path: Path) -> None:
    base = json.loads(price_file("us-east-2").read_text())
    base["instances"] = {k: base["instances"][k] for k in ("t3.medium", "m6i.large", "r6i.large")}
    base_path = tmp_path / "us-east-2.json"
    base_path.write_text(json.dumps(base))
    script = REPO / "tools" / "refresh_prices.py"
    run = subprocess.run(
        [sys.executable, str(script), str(FIXTURE), "--base", str(base_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "t3.medium: 0.0416 -> 0.042" in run.stdout
    written = load_prices(base_path)
    assert written.instances["r6i.large"] == Decimal("0.13") and written.as_of.isoformat() == "2025-06-10"
    missing = subprocess.run(
        [sys.executable, str(script), str(FIXTURE), "--base", str(base_path), "--add-type", "x9.huge", "--dry-run"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2 and "x9.huge" in missing.stderr and "Traceback" not in missing.stderr
