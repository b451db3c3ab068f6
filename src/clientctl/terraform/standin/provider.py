"""The tfplugin6 ``Provider`` service of the stand-in: one method per RPC, messages from :mod:`.proto`."""

from __future__ import annotations

import ipaddress
import json
import os
import threading
import traceback
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from clientctl.terraform.standin import cty, values
from clientctl.terraform.standin.builtins import HANDLERS, Context, PolicyError
from clientctl.terraform.standin.proto import pb
from clientctl.terraform.standin.schema import ProviderSchema

MOCK_ENV = "CLIENTCTL_STANDIN_MOCK"
LOG_ENV = "CLIENTCTL_STANDIN_LOG"

Diag = pb.Diagnostic


def error(summary: str, detail: str = "") -> pb.Diagnostic:
    return pb.Diagnostic(severity=pb.Diagnostic.Severity.ERROR, summary=summary, detail=detail)


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_is_loopback(url: str) -> bool:
    parsed = urlparse(url if "://" in url else f"//{url}")
    return bool(parsed.hostname) and is_loopback_host(parsed.hostname or "")


def _unwrap_blocks(value: Any) -> list[dict[str, Any]]:
    value = cty.plain(value)
    if value is None or value is cty.UNKNOWN:
        return []
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)]


def aws_endpoint_problems(config: dict[str, Any], environ: dict[str, str]) -> tuple[list[str], bool]:
    """Non-loopback endpoints the aws stand-in would be configured with, and whether any endpoint is set."""
    problems: list[str] = []
    seen = False
    for block in _unwrap_blocks(config.get("endpoints")):
        for service, url in sorted(block.items()):
            if url in (None, "") or url is cty.UNKNOWN:  # unknown until an upstream apply: connects nowhere
                continue
            seen = True
            if not url_is_loopback(str(url)):
                problems.append(f"endpoints.{service} = {url!r}")
    for name, url in sorted(environ.items()):
        if name == "AWS_ENDPOINT_URL" or name.startswith("AWS_ENDPOINT_URL_"):
            if not url:
                continue
            seen = True
            if not url_is_loopback(url):
                problems.append(f"{name}={url}")
    return problems, seen


def _fill_block_overrides(value: dict[str, Any], ty: cty.CtyType, overrides: dict[str, Any]) -> dict[str, Any]:
    """Unknown attributes inside a configured list block, taken from a handler's list of objects for that block.

    A block the configuration sets is not null, so the top-level overrides do not reach its computed attributes
    (e.g. ``aws_sesv2_email_identity.dkim_signing_attributes[0].tokens``); element ``i`` of the override fills
    the unknown attributes of element ``i`` of the block, and the block's other attributes stay as planned.
    """
    if cty.kind(ty) != "object":
        return value
    result = dict(value)
    for name, override in overrides.items():
        block, block_ty = value.get(name), ty[1].get(name)
        if not (isinstance(override, list) and isinstance(block, list) and block_ty is not None):
            continue
        if cty.kind(block_ty) != "list" or cty.kind(block_ty[1]) != "object":
            continue
        element_ty = block_ty[1][1]
        filled = []
        for index, element in enumerate(block):
            source = override[index] if index < len(override) else None
            if isinstance(element, dict) and isinstance(source, dict):
                element = {
                    attr: (
                        values.coerce(source[attr], element_ty[attr])
                        if current is cty.UNKNOWN and attr in source and attr in element_ty
                        else current
                    )
                    for attr, current in element.items()
                }
            filled.append(element)
        result[name] = filled
    return result


class StandinProvider:
    """Serves one provider's schema; RPC methods take and return protobuf messages."""

    def __init__(self, schema: ProviderSchema, environ: dict[str, str] | None = None) -> None:
        self.schema = schema
        self.environ = dict(os.environ if environ is None else environ)
        self.region = self.environ.get("AWS_REGION") or self.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        self._log_lock = threading.Lock()

    # -- helpers ----------------------------------------------------------------------------------------

    def log(self, message: str) -> None:
        path = self.environ.get(LOG_ENV)
        if path:
            with self._log_lock, open(path, "a", encoding="utf-8") as fh:
                fh.write(f"{self.schema.name} {message}\n")

    def _decode(self, dv: pb.DynamicValue, ty: cty.CtyType) -> Any:
        if dv.msgpack:
            return cty.decode_msgpack(dv.msgpack, ty)
        if dv.json:
            return cty.from_state_json(json.loads(dv.json), ty)
        return None

    def _encode(self, value: Any, ty: cty.CtyType) -> pb.DynamicValue:
        return pb.DynamicValue(msgpack=cty.encode_msgpack(value, ty))

    def _type(self, section: str, type_name: str) -> tuple[dict[str, Any], cty.CtyType]:
        block = self.schema.block(section, type_name)
        if block is None:
            raise KeyError(f"the {self.schema.name} stand-in has no schema for {type_name!r} ({section})")
        return block, self.schema.implied_type(section, type_name)

    def _overrides(self, section: str, type_name: str, config: Any, seed: str) -> dict[str, Any]:
        handler = HANDLERS.get((section, type_name))
        if handler is None or not cty.is_wholly_known(config):
            return {}
        return handler(cty.plain(config) or {}, Context(type_name, seed, self.region))

    def _fill(self, section: str, type_name: str, value: Any, config: Any, ty: cty.CtyType) -> Any:
        seed = values.seed_of(type_name, config)
        overrides = self._overrides(section, type_name, config, seed)
        if overrides and isinstance(value, dict):
            value = {k: (cty.UNKNOWN if v is None and k in overrides else v) for k, v in value.items()}
            value = _fill_block_overrides(value, ty, overrides)
        return values.fill_unknowns(value, ty, type_name, seed, self.region, overrides)

    # -- metadata and schema ----------------------------------------------------------------------------

    def GetMetadata(self, request: pb.GetMetadata.Request) -> bytes:
        return self.schema.metadata_response_bytes()

    def GetProviderSchema(self, request: pb.GetProviderSchema.Request) -> bytes:
        return self.schema.schema_response_bytes()

    def GetResourceIdentitySchemas(
        self, request: pb.GetResourceIdentitySchemas.Request
    ) -> pb.GetResourceIdentitySchemas.Response:
        return pb.GetResourceIdentitySchemas.Response()

    def GetFunctions(self, request: pb.GetFunctions.Request) -> pb.GetFunctions.Response:
        return pb.GetFunctions.Response()

    # -- validation: Terraform type-checks against the schema itself --------------------------------------

    def ValidateProviderConfig(self, request: pb.ValidateProviderConfig.Request) -> pb.ValidateProviderConfig.Response:
        return pb.ValidateProviderConfig.Response()

    def ValidateResourceConfig(self, request: pb.ValidateResourceConfig.Request) -> pb.ValidateResourceConfig.Response:
        return pb.ValidateResourceConfig.Response()

    def ValidateDataResourceConfig(
        self, request: pb.ValidateDataResourceConfig.Request
    ) -> pb.ValidateDataResourceConfig.Response:
        return pb.ValidateDataResourceConfig.Response()

    def ValidateEphemeralResourceConfig(
        self, request: pb.ValidateEphemeralResourceConfig.Request
    ) -> pb.ValidateEphemeralResourceConfig.Response:
        return pb.ValidateEphemeralResourceConfig.Response()

    # -- configure (the safety gate) ----------------------------------------------------------------------

    def configure_problems(self, config: dict[str, Any]) -> list[str]:
        name = self.schema.name
        if name == "aws":
            problems, seen = aws_endpoint_problems(config, self.environ)
            if problems:
                return ["the aws stand-in only runs against loopback endpoints; not loopback: " + ", ".join(problems)]
            if not seen and self.environ.get(MOCK_ENV) != "1":
                return [
                    "no AWS endpoint is configured: set AWS_ENDPOINT_URL (or provider endpoints) to a loopback "
                    f"emulator such as http://127.0.0.1:5000, or set {MOCK_ENV}=1 when no AWS API is used at all"
                ]
            region = cty.plain(config.get("region"))
            if isinstance(region, str) and region:
                self.region = region
            return []
        hosts: list[Any] = []
        if name == "kubernetes":
            hosts.append(cty.plain(config.get("host")) or "")
        if name == "helm":
            for k in _unwrap_blocks(config.get("kubernetes")):
                hosts.append(k.get("host") or "")
        bad = [str(h) for h in hosts if h and h is not cty.UNKNOWN and not url_is_loopback(str(h))]
        if bad:
            return [f"the {name} stand-in only accepts a loopback Kubernetes host; not loopback: {', '.join(bad)}"]
        return []

    def ConfigureProvider(self, request: pb.ConfigureProvider.Request) -> pb.ConfigureProvider.Response:
        _, ty = self._type("provider", "")
        config = self._decode(request.config, ty) or {}
        problems = self.configure_problems(config)
        self.log(f"ConfigureProvider problems={len(problems)}")
        return pb.ConfigureProvider.Response(
            diagnostics=[
                error(
                    f"Refusing to configure the {self.schema.name} provider stand-in",
                    p + ". The stand-in (clientctl.terraform.standin) fakes every API call and is for "
                    "verification only.",
                )
                for p in problems
            ]
        )

    # -- managed resources --------------------------------------------------------------------------------

    def UpgradeResourceState(self, request: pb.UpgradeResourceState.Request) -> pb.UpgradeResourceState.Response:
        _, ty = self._type("resource_schemas", request.type_name)
        raw = request.raw_state.json
        state = cty.from_state_json(json.loads(raw), ty) if raw else None
        return pb.UpgradeResourceState.Response(upgraded_state=self._encode(state, ty))

    def ReadResource(self, request: pb.ReadResource.Request) -> pb.ReadResource.Response:
        resp = pb.ReadResource.Response(new_state=request.current_state, private=request.private)
        if request.HasField("current_identity"):
            resp.new_identity.CopyFrom(request.current_identity)
        return resp

    def PlanResourceChange(self, request: pb.PlanResourceChange.Request) -> pb.PlanResourceChange.Response:
        block, ty = self._type("resource_schemas", request.type_name)
        prior = self._decode(request.prior_state, ty)
        proposed = self._decode(request.proposed_new_state, ty)
        planned = values.plan(block, prior, proposed)
        return pb.PlanResourceChange.Response(
            planned_state=self._encode(planned, ty), planned_private=request.prior_private
        )

    def ApplyResourceChange(self, request: pb.ApplyResourceChange.Request) -> pb.ApplyResourceChange.Response:
        block, ty = self._type("resource_schemas", request.type_name)
        planned = self._decode(request.planned_state, ty)
        if planned is None:
            return pb.ApplyResourceChange.Response(new_state=self._encode(None, ty))
        config = self._decode(request.config, ty)
        new = values.strip_write_only(block, self._fill("resource_schemas", request.type_name, planned, config, ty))
        self.log(f"ApplyResourceChange {request.type_name}")
        return pb.ApplyResourceChange.Response(new_state=self._encode(new, ty), private=request.planned_private)

    def ImportResourceState(self, request: pb.ImportResourceState.Request) -> pb.ImportResourceState.Response:
        _, ty = self._type("resource_schemas", request.type_name)
        state: dict[str, Any] = {name: None for name in ty[1]}
        state["id"] = request.id if "id" in state else None
        imported = pb.ImportResourceState.ImportedResource(type_name=request.type_name, state=self._encode(state, ty))
        return pb.ImportResourceState.Response(imported_resources=[imported])

    def MoveResourceState(self, request: pb.MoveResourceState.Request) -> pb.MoveResourceState.Response:
        return pb.MoveResourceState.Response(
            diagnostics=[error("Moving state between resource types is not supported by the stand-in")]
        )

    # -- data sources and ephemeral resources -------------------------------------------------------------

    def _read(self, section: str, type_name: str, dv: pb.DynamicValue) -> tuple[Any, cty.CtyType]:
        block, ty = self._type(section, type_name)
        config = self._decode(dv, ty)
        state = values.plan(block, None, config)
        state = values.strip_write_only(block, self._fill(section, type_name, state, config, ty))
        return state, ty

    def ReadDataSource(self, request: pb.ReadDataSource.Request) -> pb.ReadDataSource.Response:
        try:
            state, ty = self._read("data_source_schemas", request.type_name, request.config)
        except PolicyError as exc:
            return pb.ReadDataSource.Response(diagnostics=[error(str(exc))])
        return pb.ReadDataSource.Response(state=self._encode(state, ty))

    def OpenEphemeralResource(self, request: pb.OpenEphemeralResource.Request) -> pb.OpenEphemeralResource.Response:
        try:
            state, ty = self._read("ephemeral_resource_schemas", request.type_name, request.config)
        except ValueError as exc:
            return pb.OpenEphemeralResource.Response(diagnostics=[error(str(exc))])
        return pb.OpenEphemeralResource.Response(result=self._encode(state, ty))

    def RenewEphemeralResource(self, request: pb.RenewEphemeralResource.Request) -> pb.RenewEphemeralResource.Response:
        return pb.RenewEphemeralResource.Response()

    def CloseEphemeralResource(self, request: pb.CloseEphemeralResource.Request) -> pb.CloseEphemeralResource.Response:
        return pb.CloseEphemeralResource.Response()

    def StopProvider(self, request: pb.StopProvider.Request) -> pb.StopProvider.Response:
        return pb.StopProvider.Response()


#: RPC name -> (request class, the method name); every other RPC of the service answers UNIMPLEMENTED.
RPCS: tuple[str, ...] = (
    "GetMetadata",
    "GetProviderSchema",
    "GetResourceIdentitySchemas",
    "GetFunctions",
    "ValidateProviderConfig",
    "ValidateResourceConfig",
    "ValidateDataResourceConfig",
    "ValidateEphemeralResourceConfig",
    "ConfigureProvider",
    "UpgradeResourceState",
    "ReadResource",
    "PlanResourceChange",
    "ApplyResourceChange",
    "ImportResourceState",
    "MoveResourceState",
    "ReadDataSource",
    "OpenEphemeralResource",
    "RenewEphemeralResource",
    "CloseEphemeralResource",
    "StopProvider",
)


def guarded(provider: StandinProvider, rpc: str) -> Callable[[Any], Any]:
    """The RPC method, with any exception turned into an error diagnostic (never a dead plugin)."""
    method = getattr(provider, rpc)
    response_cls = getattr(pb, rpc).Response

    def call(request: Any) -> Any:
        provider.log(f"{rpc} {getattr(request, 'type_name', '')}".rstrip())
        try:
            return method(request)
        except Exception as exc:  # report inside Terraform's output, with the trace for a bug report
            provider.log(traceback.format_exc())
            diag = error(f"{provider.schema.name} stand-in failed in {rpc}: {exc}", traceback.format_exc())
            resp = response_cls()
            if "diagnostics" in response_cls.DESCRIPTOR.fields_by_name:
                resp.diagnostics.append(diag)
            return resp

    return call
