"""The sandbox's moto server: HTTPS with a CA we generate, and ``aws:SecureTransport`` made faithful.

Run as ``python -m clientctl.sandbox_server --cert-dir DIR --ready-file FILE [--port 0] [--http-port N]``.
``clientctl sandbox start`` spawns it detached; the tests start it the same way.

Why (docs/adr/ADR-011): moto 5.2.x evaluates bucket-policy Deny statements on object PUT/DELETE but
does not know the ``Bool`` condition operator and passes no request context, so the TLS-only statement
(Deny ``s3:*`` when ``aws:SecureTransport`` = false) denies every object write and delete. We keep the
real policy and make the sandbox faithful instead. Patches, pinned to moto 5.2.x (checked at start):

1. ``moto.iam.policy_conditions.CONDITION_OPERATIONS``: add ``Bool`` and ``BoolIfExists``
   (case-insensitive "true"/"false", string, bool or list values).
2. ``FakeBucket.get_permission``: pass ``{"aws:SecureTransport": "true"|"false"}`` taken from the
   transport of the current request (a WSGI middleware records ``wsgi.url_scheme`` per thread).
3. ``IAMPolicyStatement.is_action_permitted``: a statement whose conditions do not match is NEUTRAL,
   as in AWS (moto returns DENIED, which would turn "deny when not TLS" into "deny always").
4. ``FakeBucket._log_permissions_enabled_policy``: skip statements whose ``Principal`` is the string
   ``"*"`` instead of crashing with AttributeError (moto bug; the TLS statement has that form).
5. ``TransitionDefaultMinimumObjectSize`` of a lifecycle configuration is stored and returned (moto
   always answers ``all_storage_classes_128K``).

Everything else is moto as shipped. Over plain HTTP (``--http-port``) the same policy denies, as on AWS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

SUPPORTED_MOTO = ("5.2.",)
_transport = threading.local()


def _secure() -> bool:
    return bool(getattr(_transport, "secure", False))


def _bool_condition(expected_value: list[str] | str, actual_value: str) -> bool:
    values = expected_value if isinstance(expected_value, list) else [expected_value]
    return any(str(v).lower() == str(actual_value).lower() for v in values)


def _patch(owner: Any, name: str, value: Any) -> None:
    setattr(owner, name, value)


def apply_patches() -> None:
    """Patch moto in this process (see the module docstring). Safe to call twice."""
    import moto
    from moto.iam import access_control, policy_conditions
    from moto.s3 import models as s3_models
    from moto.s3 import responses as s3_responses

    if not moto.__version__.startswith(SUPPORTED_MOTO):
        raise RuntimeError(f"clientctl's sandbox patches are pinned to moto {SUPPORTED_MOTO}; found {moto.__version__}")
    if getattr(moto, "_clientctl_patched", False):
        return

    # 1. Bool / BoolIfExists
    policy_conditions.CONDITION_OPERATIONS["Bool"] = _bool_condition
    policy_conditions.CONDITION_OPERATIONS["BoolIfExists"] = _bool_condition

    # 2. request context for bucket policies
    def get_permission(self: Any, action: str, resource: str) -> Any:
        if self.policy is None:
            return access_control.PermissionResult.NEUTRAL
        policy = access_control.IAMPolicy(self.policy.decode())
        context = {"aws:SecureTransport": "true" if _secure() else "false"}
        return policy.is_action_permitted(action, resource, incoming_condition_values=context)

    _patch(s3_models.FakeBucket, "get_permission", get_permission)

    # 3. unmatched conditions make a statement NEUTRAL
    original_permitted = access_control.IAMPolicyStatement.is_action_permitted

    def is_action_permitted(
        self: Any,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> Any:
        if self._statement.get("Condition") and not self._check_conditions(incoming_condition_values):
            return access_control.PermissionResult.NEUTRAL
        return original_permitted(self, action, resource, principal, incoming_condition_values)

    _patch(access_control.IAMPolicyStatement, "is_action_permitted", is_action_permitted)

    # 4. put_bucket_logging with a target policy holding "Principal": "*"
    original_log: Any = s3_models.FakeBucket._log_permissions_enabled_policy

    def log_permissions(target_bucket: Any, target_prefix: str | None) -> bool:
        if target_bucket.policy:
            doc = json.loads(target_bucket.policy.decode())
            statements = doc.get("Statement", [])
            statements = statements if isinstance(statements, list) else [statements]
            doc["Statement"] = [s for s in statements if isinstance(s.get("Principal", {}), dict)]
            view = _BucketView(target_bucket, json.dumps(doc).encode())
            return bool(original_log(view, target_prefix))
        return bool(original_log(target_bucket, target_prefix))

    _patch(s3_models.FakeBucket, "_log_permissions_enabled_policy", staticmethod(log_permissions))

    # 5. TransitionDefaultMinimumObjectSize round trip
    header = "x-amz-transition-default-minimum-object-size"
    original_put = s3_responses.S3Response._bucket_response_put
    original_get = s3_responses.S3Response.get_bucket_lifecycle

    def bucket_response_put(self: Any, request: Any, bucket_name: str, querystring: dict[str, Any]) -> Any:
        result = original_put(self, request, bucket_name, querystring)
        if querystring and "lifecycle" in querystring:
            bucket = self.backend.get_bucket(bucket_name)
            bucket.clientctl_min_object_size = request.headers.get(header) or "all_storage_classes_128K"
        return result

    def get_bucket_lifecycle(self: Any) -> Any:
        status, headers, body = original_get(self)
        stored = getattr(self.backend.get_bucket(self.bucket_name), "clientctl_min_object_size", None)
        if stored:
            headers[header] = stored
            body = body.replace(b"all_storage_classes_128K", stored.encode()) if isinstance(body, bytes) else body
        return status, headers, body

    _patch(s3_responses.S3Response, "_bucket_response_put", bucket_response_put)
    _patch(s3_responses.S3Response, "get_bucket_lifecycle", get_bucket_lifecycle)
    moto._clientctl_patched = True  # type: ignore[attr-defined]


class _BucketView:
    """The attributes moto's logging check reads, with a filtered policy."""

    def __init__(self, bucket: Any, policy: bytes) -> None:
        self.policy = policy
        self.name = bucket.name
        self.partition = bucket.partition


HEALTH_PATH = "/clientctl-sandbox/health"


class TransportMiddleware:
    """Record, per request thread, whether the request came over TLS."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            # Answered here, without moto: /moto-api/data.json serialises the whole state and gets slower
            # with every stored object version, which made a busy sandbox look dead.
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]
        _transport.secure = environ.get("wsgi.url_scheme") == "https"
        return self.app(environ, start_response)


def ensure_certificates(cert_dir: Path) -> tuple[Path, Path, Path]:
    """Create (once) a CA and a server certificate for 127.0.0.1/localhost; return (ca, cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ca_path, cert_path, key_path = cert_dir / "ca.pem", cert_dir / "server.pem", cert_dir / "server-key.pem"
    if ca_path.is_file() and cert_path.is_file() and key_path.is_file():
        return ca_path, cert_path, key_path
    cert_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "clientctl sandbox CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.DNSName("*.localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=800))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_path.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    os.chmod(key_path, 0o600)
    cert_path.write_bytes(cert.public_bytes(pem))
    ca_path.write_bytes(ca.public_bytes(pem))
    return ca_path, cert_path, key_path


def serve(host: str, port: int, cert_dir: Path, ready_file: Path | None, http_port: int | None) -> None:
    import ssl

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    apply_patches()
    ca, cert, key = ensure_certificates(cert_dir.resolve())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    app = TransportMiddleware(DomainDispatcherApplication(create_backend_app))
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler, ssl_context=context)
    bound = server.server_address[1]
    os.environ.setdefault("MOTO_PORT", str(bound))
    info: dict[str, Any] = {
        "pid": os.getpid(),
        "port": bound,
        "endpoint": f"https://{host}:{bound}",
        "ca_bundle": str(ca),
    }
    if http_port is not None:
        plain = make_server(host, http_port, app, threaded=True, request_handler=MotoRequestHandler)
        info["http_endpoint"] = f"http://{host}:{plain.server_address[1]}"
        threading.Thread(target=plain.serve_forever, daemon=True).start()
    if ready_file is not None:
        tmp = ready_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(info), encoding="utf-8")
        tmp.replace(ready_file)

    def stop(_signum: int, _frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m clientctl.sandbox_server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--http-port", type=int, default=None, help="also serve plain HTTP (0: any free port)")
    parser.add_argument("--cert-dir", type=Path, required=True)
    parser.add_argument("--ready-file", type=Path, default=None)
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.cert_dir, args.ready_file, args.http_port)
    sys.exit(0)


if __name__ == "__main__":
    main()
