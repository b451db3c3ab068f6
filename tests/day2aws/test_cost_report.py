"""clientctl cost report: Cost Explorer answers queued in the sandbox (moto's static CE results API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from clientctl.aws import cost_report
from clientctl.errors import ConfigError

from .conftest import Aws, cli_json, seed_cost_results

MONTH = "2025-06"
PERIOD = {"Start": "2025-06-01", "End": "2025-07-01"}


def _result(groups: dict[str, str], metric: str = "BlendedCost") -> dict[str, Any]:
    return {
        "ResultsByTime": [
            {
                "TimePeriod": PERIOD,
                "Total": {},
                "Groups": [{"Keys": [k], "Metrics": {metric: {"Amount": v, "Unit": "USD"}}} for k, v in groups.items()],
                "Estimated": False,
            }
        ],
        "DimensionValueAttributes": [],
    }


def _ce(aws: Aws) -> Any:
    return boto3.client(
        "ce",
        endpoint_url=aws.state.endpoint,
        verify=aws.state.ca_bundle,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_report_by_client_tag(aws: Aws) -> None:
    seed_cost_results(
        aws,
        [_result({"Client$acme-corp": "1234.5", "Client$globex": "2500.25", "Client$": "80", "Client$oldco": "3"})],
    )
    code, report = cli_json(aws, "cost", "report", "--month", MONTH, "--output", "json")
    assert code == 0, report
    assert report["time_period"] == {"start": "2025-06-01", "end": "2025-07-01"}
    assert [(line["name"], line["amount"]) for line in report["lines"]] == [
        ("globex", "2500.25"),
        ("acme-corp", "1234.5"),
        ("(untagged)", "80"),
        ("oldco", "3"),
    ]
    assert report["total"] == "3817.75"
    assert any("oldco" in note for note in report["notes"])
    # moto answers the same body with the same result and any other body from the (now empty) queue:
    # the exact request of the runbook (End exclusive, MONTHLY, BlendedCost, GroupBy TAG Client) was sent.
    ce = _ce(aws)
    same = ce.get_cost_and_usage(
        TimePeriod=PERIOD, Granularity="MONTHLY", Metrics=["BlendedCost"], GroupBy=[{"Type": "TAG", "Key": "Client"}]
    )
    assert len(same["ResultsByTime"][0]["Groups"]) == 4
    other = ce.get_cost_and_usage(
        TimePeriod={"Start": "2025-06-01", "End": "2025-06-30"},
        Granularity="MONTHLY",
        Metrics=["BlendedCost"],
        GroupBy=[{"Type": "TAG", "Key": "Client"}],
    )
    assert other["ResultsByTime"] == []


def test_report_one_client_by_service_as_csv(aws: Aws) -> None:
    seed_cost_results(
        aws,
        [
            _result(
                {
                    "Amazon Elastic Compute Cloud - Compute": "900.10",
                    "Amazon Elastic Container Service for Kubernetes": "73",
                },
                "UnblendedCost",
            )
        ],
    )
    code, out = aws.cli(
        "cost",
        "report",
        "--month",
        MONTH,
        "--client",
        "acme-corp",
        "--group-by",
        "Service",
        "--metric",
        "UnblendedCost",
        "--output",
        "csv",
    )
    assert code == 0, out
    assert out.splitlines()[:3] == [
        "month,service,metric,amount,unit",
        f"{MONTH},Amazon Elastic Compute Cloud - Compute,UnblendedCost,900.10,USD",
        f"{MONTH},Amazon Elastic Container Service for Kubernetes,UnblendedCost,73,USD",
    ]
    same = _ce(aws).get_cost_and_usage(
        TimePeriod=PERIOD,
        Granularity="MONTHLY",
        Metrics=["UnblendedCost"],
        GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}],
        Filter={"Tags": {"Key": "Client", "Values": ["acme-corp"], "MatchOptions": ["EQUALS"]}},
    )
    assert len(same["ResultsByTime"][0]["Groups"]) == 2


def test_inactive_cost_allocation_tag_is_explained(aws: Aws) -> None:
    seed_cost_results(aws, [_result({"Client$": "5120.40"})])
    code, out = aws.cli("cost", "report", "--month", MONTH)
    assert code == 1
    assert "none of it under a Client tag value" in out and "5,120.40" in out
    assert "Billing > Cost allocation tags" in out


def test_table_output(aws: Aws) -> None:
    seed_cost_results(aws, [_result({"Client$acme-corp": "10.5"})])
    code, out = aws.cli("cost", "report", "--month", MONTH)
    assert code == 0, out
    assert "BlendedCost 2025-06-01 to 2025-07-01 (end exclusive), by Client" in out
    assert "acme-corp" in out and "10.50 USD" in out


@pytest.mark.parametrize("month", ["2025-13", "25-06", "2025/06", "June", "2999-01"])
def test_bad_month_is_a_usage_error(aws: Aws, month: str) -> None:
    code, out = aws.cli("cost", "report", "--month", month)
    assert code == 2 and f"--month {month}" in out and "Traceback" not in out


def test_unknown_client_is_a_usage_error(aws: Aws) -> None:
    code, out = aws.cli("cost", "report", "--month", MONTH, "--client", "globx")
    assert code == 2 and "did you mean 'globex'" in out


def test_access_denied_says_which_permission() -> None:
    # The sandbox does not enforce IAM for Cost Explorer (moto server mode runs without access control and
    # the shared server cannot switch it on for one test), so AccessDeniedException comes from a Stubber.
    ce = boto3.client("ce", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(ce) as stub:
        stub.add_client_error(
            "get_cost_and_usage", "AccessDeniedException", "not authorized to perform ce:GetCostAndUsage"
        )
        with pytest.raises(ConfigError) as info:
            cost_report.fetch(ce, MONTH, today=dt.date(2025, 7, 15))
    assert "ce:GetCostAndUsage" in info.value.message and "AWSBillingReadOnlyAccess" in (info.value.hint or "")


def test_month_period_end_is_first_day_of_next_month() -> None:
    today = dt.date(2026, 3, 1)
    assert cost_report.month_period("2025-12", today) == (dt.date(2025, 12, 1), dt.date(2026, 1, 1))
    assert cost_report.month_period("2026-02", today) == (dt.date(2026, 2, 1), dt.date(2026, 3, 1))
