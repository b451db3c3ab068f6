"""``clientctl dns setup-parent|verify|record add|list|delete`` (the runbook's "DNS Management" and
"Manual DNS Records" commands)."""

from __future__ import annotations

import click

from clientctl import naming
from clientctl.aws import dns as dns_mod
from clientctl.aws import dns_records as records_mod
from clientctl.aws.session import AwsTarget, aws_errors, check_credentials
from clientctl.cli.app import App, output_option, pass_app, print_json, use_output
from clientctl.cli.aws_options import aws_options, progress
from clientctl.cli.day2_common import utcnow
from clientctl.cli.options import yes_option
from clientctl.cli.prompts import confirm
from clientctl.errors import ChecksFailed, ConfigError, ExitCode

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


def _client_zone(app: App, client: str) -> str:
    registry = app.registry()
    model = registry.client(client).model
    platform = registry.platform
    return naming.ClientNames(client, model.environment, model.region, platform.project, platform.parent_zone).dns_zone


@command.group("record")
def record() -> None:
    """Manual records in CLIENT's own zone (runbook "Manual DNS Records"); names outside it are refused."""


@record.command("add")
@click.argument("client")
@click.argument("name")
@click.argument("kind", metavar="TYPE")
@click.argument("value")
@click.option("--ttl", type=click.IntRange(0, 2147483647), default=300, show_default=True, help="TTL in seconds.")
@click.option("--dry-run", is_flag=True, help="Only say what would change.")
@output_option("table", "json")
@aws_options
@pass_app
def record_add(
    app: App, client: str, name: str, kind: str, value: str, ttl: int, dry_run: bool, fmt: str | None, target: AwsTarget
) -> None:
    """Create or update (UPSERT) NAME (relative, `api`, or inside the zone) TYPE VALUE; a rerun changes nothing."""
    fmt = use_output(app, fmt)
    zone = _client_zone(app, client)
    wanted = records_mod.Record(records_mod.absolute_name(name, zone), records_mod.check_type(kind), ttl, (value,))
    with aws_errors(target):
        check_credentials(target)
        r53 = target.client("route53")
        zone_id = records_mod.zone_id(r53, zone, client)
        before, changed = records_mod.add_record(r53, zone_id, wanted, dry_run=dry_run)
    if fmt == "json":
        print_json(
            {
                "ok": True,
                "zone": zone,
                "record": wanted.to_dict(),
                "previous": before.to_dict() if before else None,
                "changed": changed,
                "dry_run": dry_run,
            }
        )
        return
    verb = ("would set" if dry_run else "set") if changed else "unchanged:"
    click.echo(f"{verb} {wanted.name} {wanted.type} {ttl} {value} (zone {zone})")


@record.command("list")
@click.argument("client")
@output_option("table", "json")
@aws_options
@pass_app
def record_list(app: App, client: str, fmt: str | None, target: AwsTarget) -> None:
    """Every record of CLIENT's zone (NS and SOA included)."""
    fmt = use_output(app, fmt)
    zone = _client_zone(app, client)
    with aws_errors(target):
        check_credentials(target)
        r53 = target.client("route53")
        found = records_mod.list_records(r53, records_mod.zone_id(r53, zone, client))
    if fmt == "json":
        print_json({"ok": True, "zone": zone, "records": [r.to_dict() for r in found]})
        return
    click.echo(f"{client}: {zone}")
    for r in found:
        click.echo(f"  {r.name:<40} {r.type:<6} {r.ttl if r.ttl is not None else '-':>6} {', '.join(r.values)}")


@record.command("delete")
@click.argument("client")
@click.argument("name")
@click.argument("kind", metavar="TYPE")
@click.argument("value")
@yes_option()
@click.option("--dry-run", is_flag=True, help="Only say what would be deleted (no change, no prompt).")
@output_option("table", "json")
@aws_options
@pass_app
def record_delete(
    app: App,
    client: str,
    name: str,
    kind: str,
    value: str,
    yes: bool,
    dry_run: bool,
    fmt: str | None,
    target: AwsTarget,
) -> None:
    """Delete NAME TYPE; VALUE must be one of its current values (the current TTL and values are looked up)."""
    fmt = use_output(app, fmt)
    zone = _client_zone(app, client)
    full, upper = records_mod.absolute_name(name, zone), records_mod.check_type(kind)
    with aws_errors(target):
        check_credentials(target)
        r53 = target.client("route53")
        zone_id = records_mod.zone_id(r53, zone, client)
        current = records_mod.find_record(r53, zone_id, full, upper)
        if current is None:
            raise ChecksFailed(f"no {upper} record {full} in {zone}", hint=f"clientctl dns record list {client}")
        if value not in current.values:
            raise ConfigError(
                f"{full} {upper} has the value(s) {', '.join(current.values)}, not {value!r}; not deleted",
                hint="give the record's current value (clientctl dns record list " + client + ")",
            )
        if not dry_run:
            confirm(
                f"delete {full} {upper} ({', '.join(current.values)}) from {zone}?",
                given=yes,
                flag="--yes",
                what=f"deleting {full} {upper}",
            )
            records_mod.delete_record(r53, zone_id, current)
    if fmt == "json":
        print_json({"ok": True, "zone": zone, "record": current.to_dict(), "deleted": not dry_run, "dry_run": dry_run})
        return
    click.echo(f"{'would delete' if dry_run else 'deleted'} {full} {upper} {', '.join(current.values)}")
