"""The registry's file formats: ``platform.yaml`` and ``clients/<name>.yaml``.

Every model forbids unknown keys and does not coerce types (``"5"`` is not an integer), so a typo is an
error with a suggestion instead of a silently ignored setting. Rules that need more than one field or
more than one file (tiers that exist, CIDR overlaps, VPN rules ...) live in :mod:`clientctl.rules`, one
module per subject, where they can name both sides of a conflict.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from clientctl.naming import CLIENT_NAME_MAX

# Client names become parts of S3 keys, IAM role names, EKS cluster names and a DNS label, so they are
# held to the strictest of those rules: a DNS label (RFC 1123) in lower case. Length against every AWS
# limit is checked per derived name by clientctl.naming.
CLIENT_NAME_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
CLIENT_CODE_PATTERN = r"^[A-Z][A-Z0-9_]{1,19}$"
#: network.notes is copied into the CIDR ledger: a sentence or two, not a document.
NOTES_MAX = 500
Port = Annotated[int, Field(ge=1, le=65535)]
Percent = Annotated[int, Field(ge=1, le=100)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# ---------------------------------------------------------------------------------------------------
# platform.yaml
# ---------------------------------------------------------------------------------------------------


class RegionSettings(StrictModel):
    short_name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,20}$")]
    availability_zones: Annotated[list[str], Field(min_length=2)]
    # AZ IDs where EKS cannot place control-plane ENIs (use1-az3, usw1-az2, cac1-az3); when the
    # platform team records its account's AZ IDs here, clientctl refuses those zones for clients.
    availability_zone_ids: dict[str, str] = Field(default_factory=dict)


class Pool(StrictModel):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    cidr: str
    regions: list[str] | None = None  # None: the pool serves every region
    description: str = ""


class ReservedRange(StrictModel):
    cidr: str
    reason: str


class SubnetLayout(StrictModel):
    """How a VPC is cut into tiers. Slots are reserved for ``max_azs`` zones per tier up front, so
    adding an AZ later only uses the next free slot and never moves an existing subnet."""

    max_azs: Annotated[int, Field(ge=2, le=6)] = 6
    eks_newbits: Annotated[int, Field(ge=1, le=12)] = 4
    private_newbits: Annotated[int, Field(ge=1, le=12)] = 4
    public_newbits: Annotated[int, Field(ge=1, le=12)] = 8


class NetworkSettings(StrictModel):
    vpc_prefix_length: Annotated[int, Field(ge=16, le=28)] = 16
    az_count: Annotated[int, Field(ge=2, le=6)] = 2
    pools: Annotated[list[Pool], Field(min_length=1)]
    reserved: list[ReservedRange] = Field(default_factory=list)
    quarantine_days: Annotated[int, Field(ge=0, le=3650)] = 90
    pool_warn_percent: Percent = 80
    eks_service_cidr: str = "172.20.0.0/16"
    subnet_layout: SubnetLayout = SubnetLayout()
    # Required: who may reach the EKS public API endpoints (the operators' egress ranges). No default, since any
    # default would either lock everyone out or open the endpoint too wide.
    management_cidrs: Annotated[list[str], Field(min_length=1)]
    # Upper bound on the addresses the management CIDRs may cover together (after merging overlaps). 65536 = one
    # /16: far above a few NAT/VPN egress ranges, far below "the internet". Raise it deliberately.
    management_cidrs_max_addresses: Annotated[int, Field(ge=1, le=2**32 - 1)] = 65536


class EksPreset(StrictModel):
    instance_types: Annotated[list[str], Field(min_length=1)]
    min_size: Annotated[int, Field(ge=0)]
    max_size: Annotated[int, Field(ge=1)]
    desired_size: Annotated[int, Field(ge=0)]
    disk_size: Annotated[int, Field(ge=20, le=16384)]
    capacity_type: Literal["ON_DEMAND", "SPOT"] = "ON_DEMAND"


class DatabasePreset(StrictModel):
    instance_type: str
    data_volume_size: Annotated[int, Field(ge=10, le=16384)]
    wal_volume_size: Annotated[int, Field(ge=10, le=16384)]
    backup_volume_size: Annotated[int, Field(ge=10, le=16384)]
    backup_retention_days: Annotated[int, Field(ge=7, le=35)]
    replica_enabled: bool = True


class ComputePreset(StrictModel):
    instance_type: str
    root_volume_size: Annotated[int, Field(ge=8, le=16384)]
    data_volume_size: Annotated[int, Field(ge=1, le=16384)]


class ObservabilityPreset(StrictModel):
    prometheus_replicas: Annotated[int, Field(ge=1, le=5)]
    prometheus_storage_gi: Annotated[int, Field(ge=1)]
    prometheus_retention_days: Annotated[int, Field(ge=1, le=365)]
    grafana_storage_gi: Annotated[int, Field(ge=1)]
    loki_retention_days: Annotated[int, Field(ge=1, le=3650)]
    alertmanager_replicas: Annotated[int, Field(ge=1, le=5)] = 1


class TierPreset(StrictModel):
    description: str = ""
    nat_gateway_per_az: bool
    eks: EksPreset
    database: DatabasePreset
    compute: ComputePreset
    observability: ObservabilityPreset


class AutoscalerPin(StrictModel):
    """The cluster-autoscaler release for one Kubernetes minor: the autoscaler's minor must equal the
    cluster's (https://github.com/kubernetes/autoscaler/tree/master/cluster-autoscaler#releases)."""

    chart: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")]
    image_tag: Annotated[str, Field(pattern=r"^v\d+\.\d+\.\d+$")]


# Chart versions and image tags read from kubernetes/autoscaler charts/cluster-autoscaler (Chart.yaml and
# values.yaml at the tags cluster-autoscaler-chart-<version>). Charts 9.54.0-9.55.0 declare appVersion 1.35.0 but
# still default to image v1.34.2, so the image tag is pinned explicitly in the values.
DEFAULT_VERSION_MATRIX: dict[str, AutoscalerPin] = {
    "1.32": AutoscalerPin(chart="9.46.6", image_tag="v1.32.0"),
    "1.33": AutoscalerPin(chart="9.51.0", image_tag="v1.33.0"),
    "1.34": AutoscalerPin(chart="9.53.0", image_tag="v1.34.2"),
    "1.35": AutoscalerPin(chart="9.59.0", image_tag="v1.35.0"),
}


class Versions(StrictModel):
    terraform: str = ">= 1.10.0"
    aws_provider: str = "~> 6.0"
    # EKS standard support: 1.35 until 2027-03-27 (1.34 ended 2026-12-02); see docs/terraform.md "Versions".
    kubernetes: Annotated[str, Field(pattern=r"^1\.\d+$")] = "1.35"
    # Kubernetes minor -> cluster-autoscaler chart and image; versions.kubernetes must be a key of it.
    version_matrix: dict[str, AutoscalerPin] = Field(default_factory=lambda: dict(DEFAULT_VERSION_MATRIX))
    aws_load_balancer_controller: str = "1.8.1"
    metrics_server: str = "3.12.2"
    external_dns: str = "1.15.0"
    istio: str = "1.27.1"
    kube_prometheus_stack: str = "65.1.1"
    loki: str = "6.16.0"
    tempo: str = "1.10.3"  # grafana-community repository (moved from grafana on 2026-01-30)
    fluent_bit: str = "0.47.10"
    postgresql: str = "17"


class ClusterServices(StrictModel):
    enable_cluster_autoscaler: bool = True
    enable_aws_load_balancer_controller: bool = True
    enable_metrics_server: bool = True
    enable_external_dns: bool = True
    enable_istio_service_mesh: bool = True
    cluster_autoscaler_scale_down_enabled: bool = True
    cluster_autoscaler_scale_down_unneeded_time: Annotated[str, Field(pattern=r"^\d+[smh]$")] = "10m"
    cluster_autoscaler_scale_down_utilization_threshold: Annotated[float, Field(gt=0, lt=1)] = 0.5
    istio_ingress_replicas: Annotated[int, Field(ge=1, le=10)] = 2
    create_root_placeholder: bool = True


class BucketLifecycle(StrictModel):
    transition_to_glacier_days: Annotated[int, Field(ge=1)] | None = None
    expire_days: Annotated[int, Field(ge=1)] | None = None


class ObservabilityStorage(StrictModel):
    """Lifecycle of the shared observability buckets (runbook "What Gets Created")."""

    logs: BucketLifecycle = BucketLifecycle(transition_to_glacier_days=90)
    traces: BucketLifecycle = BucketLifecycle(expire_days=30)
    metrics: BucketLifecycle = BucketLifecycle(expire_days=90)
    audit_logs: BucketLifecycle = BucketLifecycle(expire_days=2555)  # 7 years
    noncurrent_version_expire_days: Annotated[int, Field(ge=1)] = 30
    abort_incomplete_multipart_days: Annotated[int, Field(ge=1)] = 7


class BackendSettings(StrictModel):
    # Terraform >= 1.10 locks in S3 natively and deprecates DynamoDB locking (docs/adr/ADR-003);
    # the runbook's lock table is still created and named in backend.hcl, so both mechanisms lock.
    use_lockfile: bool = True
    dynamodb_locking: bool = True
    state_noncurrent_version_expire_days: Annotated[int, Field(ge=1)] = 90


class VpnSettings(StrictModel):
    # Customer-gateway ASNs AWS reserves per region (7224 us-east-1, 9059 eu-west-1 are documented; the
    # others are commonly cited). Data, not code, so the list can grow without a release.
    reserved_bgp_asns: list[int] = Field(default_factory=lambda: [7224, 9059, 10124, 17943])


class Platform(StrictModel):
    project: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$")]
    managed_by: str = "clientctl"
    parent_zone: Annotated[str, Field(pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")]
    regions: Annotated[dict[str, RegionSettings], Field(min_length=1)]
    environments: Annotated[list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9]{1,15}$")]], Field(min_length=1)]
    network: NetworkSettings
    tiers: Annotated[dict[str, TierPreset], Field(min_length=1)]
    versions: Versions = Versions()
    cluster_services: ClusterServices = ClusterServices()
    observability_storage: ObservabilityStorage = ObservabilityStorage()
    backend: BackendSettings = BackendSettings()
    vpn: VpnSettings = VpnSettings()


# ---------------------------------------------------------------------------------------------------
# clients/<name>.yaml: the runbook's client schema plus region, environment and database
# ---------------------------------------------------------------------------------------------------


class ClientNetwork(StrictModel):
    vpc_cidr: str
    # Derived from vpc_cidr (the VPC's block number inside its /8, i.e. X in 10.X.0.0/16). Optional;
    # when given it is checked, never trusted.
    cidr_offset: int | None = None
    az_count: Annotated[int, Field(ge=2, le=6)] | None = None
    allocated_date: dt.date | None = None
    notes: str = Field(default="", max_length=NOTES_MAX)
    # Set by `clientctl cidr move`: the block the client's running VPC still has. With it, the next apply may
    # replace the VPC (the state guard state.vpc-cidr-change allows exactly this block); remove it afterwards.
    replaces_vpc_cidr: str | None = None


class ClientEks(StrictModel):
    enabled: bool = True
    instance_types: Annotated[list[str], Field(min_length=1)] | None = None
    min_size: Annotated[int, Field(ge=0)] | None = None
    max_size: Annotated[int, Field(ge=1)] | None = None
    desired_size: Annotated[int, Field(ge=0)] | None = None
    disk_size: Annotated[int, Field(ge=20, le=16384)] | None = None
    capacity_type: Literal["ON_DEMAND", "SPOT"] | None = None


class ClientCompute(StrictModel):
    analytics_enabled: bool = False
    instance_type: str | None = None
    root_volume_size: Annotated[int, Field(ge=8, le=16384)] | None = None
    data_volume_size: Annotated[int, Field(ge=1, le=16384)] | None = None


class ClientStorage(StrictModel):
    enable_dedicated_buckets: bool = False
    backup_retention_days: Annotated[int, Field(ge=1, le=3650)] = 30


class ClientDatabase(StrictModel):
    enabled: bool = True
    instance_type: str | None = None
    data_volume_size: Annotated[int, Field(ge=10, le=16384)] | None = None
    wal_volume_size: Annotated[int, Field(ge=10, le=16384)] | None = None
    backup_volume_size: Annotated[int, Field(ge=10, le=16384)] | None = None
    # The runbook's "Backup retention: 7-35 days" (EBS snapshot lifecycle).
    backup_retention_days: Annotated[int, Field(ge=7, le=35)] | None = None
    replica_enabled: bool | None = None


class ClientSecurity(StrictModel):
    database_ports: list[Port] = Field(default_factory=lambda: [5432])
    custom_ports: list[Port] = Field(default_factory=list)


class ClientVpn(StrictModel):
    enabled: bool = False
    customer_gateway_ip: str | None = None
    bgp_asn: int | None = None
    amazon_side_asn: int = 64512
    static_routes_only: bool = True
    local_network_cidr: str | None = None
    tunnel1_inside_cidr: str | None = None
    tunnel2_inside_cidr: str | None = None
    description: str = ""


class ClientMetadata(StrictModel):
    full_name: Annotated[str, Field(min_length=1, max_length=256)]
    industry: str = ""
    contact_email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    compliance: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:/=+@-]{1,32}$")]] = Field(default_factory=list)
    # Becomes the CostCenter tag: AWS tag values allow letters, digits, spaces and _ . : / = + - @
    cost_center: Annotated[str, Field(pattern=r"^[A-Za-z0-9 _.:/=+@-]{1,128}$")]
    business_unit: str = ""


class ClientAlerting(StrictModel):
    emails: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]] = Field(default_factory=list)
    # Channel name only: the Slack webhook URL is a secret and lives in AWS Secrets Manager.
    slack_channel: Annotated[str, Field(pattern=r"^#[a-z0-9_-]{1,80}$")] | None = None


class Client(StrictModel):
    name: Annotated[str, Field(pattern=CLIENT_NAME_PATTERN, max_length=CLIENT_NAME_MAX)]
    enabled: bool = True
    client_code: Annotated[str, Field(pattern=CLIENT_CODE_PATTERN)]
    tier: str
    region: str
    environment: str
    network: ClientNetwork
    eks: ClientEks = ClientEks()
    compute: ClientCompute = ClientCompute()
    storage: ClientStorage = ClientStorage()
    database: ClientDatabase = ClientDatabase()
    security: ClientSecurity = ClientSecurity()
    vpn: ClientVpn = ClientVpn()
    metadata: ClientMetadata
    alerting: ClientAlerting = ClientAlerting()
