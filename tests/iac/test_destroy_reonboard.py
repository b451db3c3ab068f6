"""Offboarding and onboarding the same client again must work (destroy, then apply within days).

Each property is read from the layer roots evaluated for a real client (the evaluator of ``iac isolation``),
through the module calls, so a module default or a caller override would be seen.
"""

from __future__ import annotations

import hcl2

from tests.iac.layer_scope import REPO, evaluate_layer

LAYERS = REPO / "providers/aws/regions/us-east-2/layers"


def _attr(layer: str, module_path: list[str], address: str, name: str) -> object:
    scope = evaluate_layer(REPO, layer, "acme-corp")
    for m in module_path:
        child = scope.child(m)
        assert child is not None, m
        scope = child
    return scope.attr(address, name)


def test_client_zone_is_force_destroyed() -> None:
    # ExternalDNS leaves records behind: without force_destroy the zone delete fails (HostedZoneNotEmpty).
    assert _attr("05-cluster-services", ["shared_services"], "aws_route53_zone.client", "force_destroy") is True


def test_secrets_are_deleted_without_recovery_window() -> None:
    # A recovery window keeps the name reserved: CreateSecret of a re-onboarded client would fail.
    assert _attr("03-database", ["postgres"], "aws_secretsmanager_secret.this", "recovery_window_in_days") == 0
    assert (
        _attr(
            "06-observability", ["observability"], "aws_secretsmanager_secret.grafana_admin", "recovery_window_in_days"
        )
        == 0
    )


def test_gateway_is_destroyed_and_waited_for_before_the_load_balancer_controller() -> None:
    assert _attr("05-cluster-services", ["istio"], "helm_release.ingress_gateway", "wait") is True
    assert (
        _attr("05-cluster-services", ["shared_services"], "helm_release.aws_load_balancer_controller", "wait") is True
    )
    # The edge that orders destroy: every istio resource depends on every shared_services resource.
    with (LAYERS / "05-cluster-services/production/main.tf").open() as handle:
        doc = hcl2.load(handle)
    istio = next(block for block in doc["module"] if "istio" in str(block.keys()))
    body = next(iter(istio.values()))
    assert "module.shared_services" in str(body["depends_on"]), body["depends_on"]
