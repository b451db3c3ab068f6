"""Render every Helm values template of layers 05/06 for every sample client and check the YAML.

Templates are rendered by the real Terraform ``templatefile()`` through ``terraform console`` (no
provider, backend or network is needed), so interpolation, directives and functions behave exactly as
in ``terraform apply``. The variables each template receives mirror the module's ``templatefile()``
call; ``test_template_variables_match_module_calls`` fails when the two drift apart. Upstream outputs
(role ARNs, zone id, VPC id) are placeholders; everything else comes from the rendered tfvars.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
LAYERS = REPO / "providers/aws/regions/us-east-2/layers"
MODULES = REPO / "modules"
ROLE = "arn:aws:iam::123456789012:role/"


def _tfvars(layer: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((LAYERS / layer / "production/clients.auto.tfvars.json").read_text())
    return data


def _terraform() -> str | None:
    local = REPO / ".venv/bin/terraform"
    return str(local) if local.exists() else shutil.which("terraform")


def render(template: Path, variables: dict[str, Any], workdir: Path) -> str:
    """templatefile(template, variables) evaluated by `terraform console` in an empty directory."""
    binary = _terraform()
    if binary is None:
        pytest.skip("no terraform binary (run ./dev setup)")
    vars_file = workdir / "vars.json"
    vars_file.write_text(json.dumps(variables))
    expr = f'jsonencode(templatefile("{template}", jsondecode(file("{vars_file}"))))'
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    proc = subprocess.run(
        [binary, "console"], input=expr, capture_output=True, text=True, cwd=workdir, env=env, timeout=60, check=False
    )
    assert proc.returncode == 0, f"terraform console failed for {template.name}: {proc.stderr}"
    # console prints the HCL string literal of the JSON document: decode twice.
    rendered: str = json.loads(json.loads(proc.stdout.strip()))
    return rendered


# --- variables of each template, as the modules pass them ------------------------------------------


def shared_services_vars(client: dict[str, Any], settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    names, cs = client["names"], settings["cluster_services"]
    return {
        "cluster-autoscaler.yaml.tftpl": {
            "cluster_name": names["cluster"],
            "region": settings["region"],
            "service_account": "cluster-autoscaler",
            "role_arn": ROLE + names["iam_roles"]["cluster-autoscaler"],
            "image_tag": settings["versions"]["cluster_autoscaler_image_tag"],
            "scale_down_enabled": cs["cluster_autoscaler_scale_down_enabled"],
            "scale_down_unneeded_time": cs["cluster_autoscaler_scale_down_unneeded_time"],
            "scale_down_utilization_thresh": cs["cluster_autoscaler_scale_down_utilization_threshold"],
        },
        "aws-load-balancer-controller.yaml.tftpl": {
            "cluster_name": names["cluster"],
            "region": settings["region"],
            "vpc_id": "vpc-0123456789abcdef0",
            "service_account": "aws-load-balancer-controller",
            "role_arn": ROLE + names["iam_roles"]["aws-load-balancer-controller"],
        },
        "metrics-server.yaml.tftpl": {},
        "external-dns.yaml.tftpl": {
            "region": settings["region"],
            "zone_name": names["dns_zone"],
            "zone_id": "Z0123456789ABCDEFGHIJ",
            "txt_owner_id": names["cluster"],
            "service_account": "external-dns",
            "role_arn": ROLE + names["iam_roles"]["external-dns"],
        },
    }


def istio_vars(client: dict[str, Any], settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    cluster = client["names"]["cluster"]
    return {
        "base.yaml.tftpl": {},
        "istiod.yaml.tftpl": {"cluster_name": cluster},
        "cni.yaml.tftpl": {},
        "ztunnel.yaml.tftpl": {"cluster_name": cluster},
        "gateway.yaml.tftpl": {
            "replicas": settings["cluster_services"]["istio_ingress_replicas"],
            "load_balancer_class": "service.k8s.aws/nlb",
        },
    }


def observability_vars(
    client: dict[str, Any], settings: dict[str, Any], slack_enabled: bool
) -> dict[str, dict[str, Any]]:
    names, obs, buckets = client["names"], client["observability"], settings["observability_buckets"]
    prefixes, roles = names["observability_prefixes"], names["iam_roles"]
    return {
        "kube-prometheus-stack.yaml.tftpl": {
            "cluster_name": names["cluster"],
            "region": settings["region"],
            "prometheus_replicas": obs["prometheus_replicas"],
            "prometheus_storage_gi": obs["prometheus_storage_gi"],
            "prometheus_retention_days": obs["prometheus_retention_days"],
            "alertmanager_replicas": obs["alertmanager_replicas"],
            "grafana_storage_gi": obs["grafana_storage_gi"],
            "prometheus_sa": "prometheus",
            "prometheus_role_arn": ROLE + roles["prometheus"],
            "metrics_bucket": buckets["metrics"],
            "metrics_prefix": prefixes["metrics"],
            "grafana_admin_secret": "grafana-admin",
            "grafana_admin_password_version": 3,
            "alert_emails": client["alerting"]["emails"],
            "slack_enabled": slack_enabled,
            "slack_channel": client["alerting"]["slack_channel"],
            "slack_secret": "alertmanager-slack",
            "smtp_smarthost": f"email-smtp.{settings['region']}.amazonaws.com:587",
            "smtp_from": names["email_senders"]["alertmanager"],
            "smtp_auth_username": "AKIAIOSFODNN7EXAMPLE",
            "smtp_secret": "alertmanager-smtp",
            "namespace": "observability",
        },
        "loki.yaml.tftpl": {
            "loki_retention_days": obs["loki_retention_days"],
            "loki_storage_gi": 50,
            "loki_sa": "loki",
            "loki_role_arn": ROLE + roles["loki"],
        },
        "tempo.yaml.tftpl": {
            "region": settings["region"],
            "tempo_retention_days": 30,
            "tempo_sa": "tempo",
            "tempo_role_arn": ROLE + roles["tempo"],
            "traces_bucket": buckets["traces"],
            "traces_prefix": prefixes["traces"],
        },
        "fluent-bit.yaml.tftpl": {
            "cluster_name": names["cluster"],
            "region": settings["region"],
            "fluent_bit_sa": "fluent-bit",
            "fluent_bit_role_arn": ROLE + roles["fluent-bit"],
            "logs_bucket": buckets["logs"],
            "logs_prefix": prefixes["logs"],
            "loki_host": "loki.observability.svc.cluster.local",
        },
    }


L05, L06 = _tfvars("05-cluster-services"), _tfvars("06-observability")
CLIENTS = sorted(L06["clients"])


@cache
def _module_calls(module: str) -> dict[str, set[str]]:
    """Template file -> names of the variables the module passes to templatefile()."""
    text = (MODULES / module / "main.tf").read_text()
    calls: dict[str, set[str]] = {}
    for match in re.finditer(r'templatefile\("\$\{path\.module\}/values/([^"]+)",\s*\{(.*?)\}\)', text, re.S):
        calls[match.group(1)] = set(re.findall(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=", match.group(2), re.M))
    return calls


def test_template_variables_match_module_calls() -> None:
    client, s05, s06 = L05["clients"][CLIENTS[0]], L05["settings"], L06["settings"]
    for module, built in (
        ("shared-services", shared_services_vars(client, s05)),
        ("istio-service-mesh", istio_vars(client, s05)),
        ("observability-per-client", observability_vars(L06["clients"][CLIENTS[0]], s06, True)),
    ):
        calls = _module_calls(module)
        templates = {p.name for p in (MODULES / module / "values").glob("*.tftpl")}
        assert set(calls) == templates, f"{module}: every values template is used, and only those exist"
        assert {name: set(v) for name, v in built.items()} == calls, module


def _load(template: Path, variables: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(render(template, variables, tmp_path))
    assert isinstance(doc, dict), template.name
    return doc


@pytest.mark.parametrize("name", CLIENTS)
def test_layer05_values_render(name: str, tmp_path: Path) -> None:
    client, settings = L05["clients"][name], L05["settings"]
    cs = settings["cluster_services"]
    docs = {
        f: _load(MODULES / "shared-services/values" / f, v, tmp_path)
        for f, v in shared_services_vars(client, settings).items()
    }
    ca = docs["cluster-autoscaler.yaml.tftpl"]
    assert ca["autoDiscovery"]["clusterName"] == client["names"]["cluster"]
    assert ca["extraArgs"]["scale-down-enabled"] is cs["cluster_autoscaler_scale_down_enabled"]
    assert ca["extraArgs"]["scale-down-unneeded-time"] == cs["cluster_autoscaler_scale_down_unneeded_time"]
    assert (
        ca["extraArgs"]["scale-down-utilization-threshold"] == cs["cluster_autoscaler_scale_down_utilization_threshold"]
    )
    assert ca["rbac"]["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(
        client["names"]["iam_roles"]["cluster-autoscaler"]
    )
    # autoscaler minor == cluster minor (platform.yaml versions.version_matrix)
    minor = client["eks"]["version"]
    assert ca["image"]["tag"].startswith(f"v{minor}."), (ca["image"], minor)
    lb = docs["aws-load-balancer-controller.yaml.tftpl"]
    assert lb["clusterName"] == client["names"]["cluster"] and lb["vpcId"].startswith("vpc-")
    dns = docs["external-dns.yaml.tftpl"]
    assert dns["domainFilters"] == [client["names"]["dns_zone"]]
    assert dns["txtOwnerId"] == client["names"]["cluster"]
    assert "--zone-id-filter=Z0123456789ABCDEFGHIJ" in dns["extraArgs"]
    assert docs["metrics-server.yaml.tftpl"]["replicas"] >= 1

    istio = {
        f: _load(MODULES / "istio-service-mesh/values" / f, v, tmp_path)
        for f, v in istio_vars(client, settings).items()
    }
    assert istio["istiod.yaml.tftpl"]["profile"] == "ambient" and istio["cni.yaml.tftpl"]["profile"] == "ambient"
    gateway = istio["gateway.yaml.tftpl"]
    assert gateway["replicaCount"] == cs["istio_ingress_replicas"]
    assert gateway["service"]["loadBalancerClass"] == "service.k8s.aws/nlb"
    assert sorted(p["port"] for p in gateway["service"]["ports"]) == [80, 443], "public listeners are 80/443 only"


def test_gateway_without_load_balancer_class(tmp_path: Path) -> None:
    doc = _load(
        MODULES / "istio-service-mesh/values/gateway.yaml.tftpl", {"replicas": 1, "load_balancer_class": None}, tmp_path
    )
    assert "loadBalancerClass" not in doc["service"] and doc["replicaCount"] == 1


@pytest.mark.parametrize("slack_enabled", [True, False])
@pytest.mark.parametrize("name", CLIENTS)
def test_layer06_values_render(name: str, slack_enabled: bool, tmp_path: Path) -> None:
    client, settings = L06["clients"][name], L06["settings"]
    obs, prefixes, buckets = (
        client["observability"],
        client["names"]["observability_prefixes"],
        settings["observability_buckets"],
    )
    slack = slack_enabled and client["alerting"]["slack_channel"] is not None
    docs = {
        f: _load(MODULES / "observability-per-client/values" / f, v, tmp_path)
        for f, v in observability_vars(client, settings, slack).items()
    }

    kps = docs["kube-prometheus-stack.yaml.tftpl"]
    spec = kps["prometheus"]["prometheusSpec"]
    assert spec["replicas"] == obs["prometheus_replicas"]
    assert spec["retention"] == f"{obs['prometheus_retention_days']}d"
    storage = spec["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"]
    assert storage == f"{obs['prometheus_storage_gi']}Gi"
    objstore = spec["thanos"]["objectStorageConfig"]["secret"]
    assert objstore["config"]["bucket"] == buckets["metrics"]
    assert objstore["prefix"] + "/" == prefixes["metrics"] == f"metrics/client={name}/"
    assert kps["alertmanager"]["alertmanagerSpec"]["replicas"] == obs["alertmanager_replicas"]
    assert kps["grafana"]["persistence"]["size"] == f"{obs['grafana_storage_gi']}Gi"
    admin = kps["grafana"]["admin"]
    assert admin["existingSecret"] == "grafana-admin" and "password" not in admin
    # rotation: the version rolls the pod, whose postStart hook resets the admin password from the secret
    grafana = kps["grafana"]
    assert grafana["podAnnotations"]["clientctl.io/grafana-admin-password-version"] == "3"
    hook = " ".join(grafana["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert "admin reset-admin-password --password-from-stdin" in hook and '"$GF_SECURITY_ADMIN_PASSWORD"' in hook
    assert grafana["deploymentStrategy"]["type"] == "Recreate"
    (receiver,) = [r for r in kps["alertmanager"]["config"]["receivers"] if r["name"] == "client"]
    assert [e["to"] for e in receiver["email_configs"]] == client["alerting"]["emails"]
    # SES requires SMTP authentication: access key id as user, the password from the mounted secret only
    smtp = kps["alertmanager"]["config"]["global"]
    assert smtp["smtp_smarthost"] == f"email-smtp.{settings['region']}.amazonaws.com:587"
    assert (
        smtp["smtp_from"]
        == f"alertmanager@{client['names']['dns_zone']}"
        == client["names"]["email_senders"]["alertmanager"]
    )
    assert smtp["smtp_auth_username"] == "AKIAIOSFODNN7EXAMPLE" and smtp["smtp_require_tls"] is True
    assert smtp["smtp_auth_password_file"] == "/etc/alertmanager/secrets/alertmanager-smtp/password"
    assert "smtp_auth_password" not in smtp and "smtp_auth_secret" not in smtp
    mounted = kps["alertmanager"]["alertmanagerSpec"]["secrets"]
    if slack:
        assert receiver["slack_configs"][0]["channel"] == client["alerting"]["slack_channel"]
        assert receiver["slack_configs"][0]["api_url_file"].startswith("/etc/alertmanager/secrets/alertmanager-slack/")
        assert mounted == ["alertmanager-smtp", "alertmanager-slack"]
    else:
        assert "slack_configs" not in receiver and mounted == ["alertmanager-smtp"]

    loki = docs["loki.yaml.tftpl"]
    assert loki["loki"]["limits_config"]["retention_period"] == f"{obs['loki_retention_days'] * 24}h"
    assert loki["loki"]["compactor"]["retention_enabled"] is True

    tempo = docs["tempo.yaml.tftpl"]["tempo"]["storage"]["trace"]
    assert tempo["backend"] == "s3" and tempo["s3"]["bucket"] == buckets["traces"]
    assert tempo["s3"]["prefix"] + "/" == prefixes["traces"]

    outputs = docs["fluent-bit.yaml.tftpl"]["config"]["outputs"]
    assert f"bucket           {buckets['logs']}" in outputs
    assert f"s3_key_format    /{prefixes['logs']}fluent-bit/" in outputs


def test_tiers_differ_only_through_rendered_values() -> None:
    """The sample set holds both tiers, and the module never hard-codes them."""
    tiers = {c["tier"]: c["observability"] for c in L06["clients"].values()}
    assert {"standard", "premium"} <= set(tiers)
    assert tiers["standard"]["prometheus_storage_gi"] == 50 and tiers["premium"]["prometheus_storage_gi"] == 100
    sources = "".join(p.read_text() for p in (MODULES / "observability-per-client").rglob("*") if p.is_file())
    assert "premium" not in sources and "standard" not in sources
