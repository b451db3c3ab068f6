"""``clientctl dns setup-parent|verify`` (replaces the runbook's "DNS Management" commands)."""

from __future__ import annotations

import click

from clientctl import naming
from clientctl.aws import dns as dns_mod
from clientctl.aws.session import AwsTarget, aws_errors, check_credentials
from clientctl.cli.app import App, output_option, pass_app, print_json, use_output
from clientctl.cli.aws_options import aws_options, progress
from clientctl.cli.day2_common import utcnow
from clientctl.errors import ExitCode

ICONS = {"PASS": "✓", "FAIL": "✗", "SKIP": "-"}
COLORS = {"PASS": "green", "FAIL": "red", "SKIP": "yellow"}


@click.group("dns")
def command() -> None:
    """Route 53: the parent zone and each client's delegated zone."""


@command.command("setup-parent")
@click.option("--dry-run", is_flag=True, help="Only say whether the zone would be created.")
@output_option("table", "json")
@aws_options
@pass_app
def setup_parent(app: App, dry_run: bool, fmt: str | None, target: AwsTarget) -> None:
    """Create the public parent zone (platform.yaml parent_zone) if missing; print its name servers.

    Idempotent: an existing zone is only read. Set the printed name servers at the domain registrar.
    """
    fmt = use_output(app, fmt)
    parent = app.registry().platform.parent_zone
    with aws_errors(target):
        check_credentials(target)
        progress(f"looking for the public hosted zone {parent}")
        result = dns_mod.setup_parent(target.client("route53"), parent, dry_run=dry_run, now=utcnow())
    if use_output(app, fmt) == "json":
        print_json({"ok": True, "parent_zone": parent, **result.to_dict()})
        return
    if result.zone is None:
        click.echo(f"dry run: would create the public hosted zone {parent}")
        return
    verb = "created" if result.created else "exists:"
    click.echo(f"{verb} {parent} (zone {result.zone.id})")
    click.echo("set these name servers at the registrar of " + parent + ":")
    for ns in result.zone.name_servers:
        click.echo(f"  {ns}")


@command.command("verify")
@click.argument("client")
@click.option("--resolve", is_flag=True, help="Also ask public DNS (dig) for the zone's NS; skipped when unreachable.")
@output_option("table", "json")
@aws_options
@pass_app
def verify(app: App, client: str, resolve: bool, fmt: str | None, target: AwsTarget) -> None:
    """Check CLIENT's zone: exists, delegated from the parent with exactly its name servers, records inside it.

    Exit 1 on any failed check (the missing/extra name servers are named).
    """
    fmt = use_output(app, fmt)
    registry = app.registry()
    model = registry.client(client).model
    platform = registry.platform
    zone = naming.ClientNames(client, model.environment, model.region, platform.project, platform.parent_zone).dns_zone
    with aws_errors(target):
        check_credentials(target)
        progress(f"checking {zone} and its delegation from {platform.parent_zone}")
        r53 = target.client("route53")
        report = dns_mod.verify_client(r53, client, zone, platform.parent_zone)
        if resolve:
            found = dns_mod.find_public_zone(r53, zone)
            if found is None:
                report.checks.append(dns_mod.DnsCheck("dns.resolve", "SKIP", "no client zone to compare with"))
            else:
                report.checks.append(dns_mod.resolve_ns(zone, list(found.name_servers)))
    if use_output(app, fmt) == "json":
        print_json(report.to_dict())
    else:
        click.echo(f"{client}: {zone} (parent {platform.parent_zone})")
        for check in report.checks:
            click.secho(
                f"  {ICONS[check.status]} {check.status:<4} {check.id:<24} {check.detail}", fg=COLORS[check.status]
            )
            if check.hint and check.status == "FAIL":
                click.echo(f"       fix: {check.hint}")
        failed = [c.id for c in report.checks if c.status == "FAIL"]
        click.echo(f"{len(failed)} check(s) failed: {', '.join(failed)}" if failed else "all checks passed")
    if not report.ok:
        raise click.exceptions.Exit(ExitCode.CHECKS_FAILED)
