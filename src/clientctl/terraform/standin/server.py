"""go-plugin handshake and the gRPC server Terraform talks to.

What Terraform (1.15, via HashiCorp go-plugin) expects from a plugin process, checked against
``TF_LOG=trace`` runs (see docs/provider-standins.md):

* environment ``TF_PLUGIN_MAGIC_COOKIE`` equal to :data:`MAGIC_COOKIE_VALUE`; ``PLUGIN_PROTOCOL_VERSIONS``
  lists the protocol versions Terraform speaks (we speak 6); ``PLUGIN_CLIENT_CERT`` holds Terraform's client
  certificate (AutoMTLS, on unless ``TF_DISABLE_PLUGIN_TLS`` is set): the plugin then serves TLS with a
  certificate of its own (client authentication off, see :func:`serve`) and prints its own certificate (DER, base64
  without padding) as the sixth handshake field;
* one line on stdout: ``1|6|unix|/path/to/socket|grpc|<cert>``;
* gRPC services: ``tfplugin6.Provider``, ``grpc.health.v1.Health`` (service ``plugin``), and
  ``plugin.GRPCController/Shutdown``, after which the process exits. ``plugin.GRPCStdio`` and
  ``plugin.GRPCBroker`` may answer UNIMPLEMENTED (go-plugin logs it and carries on).
"""

from __future__ import annotations

import base64
import datetime
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent import futures
from typing import Any

import grpc

from clientctl.terraform.standin.proto import pb
from clientctl.terraform.standin.provider import RPCS, StandinProvider, guarded

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
PROTOCOL_VERSION = 6

NOT_A_PLUGIN_MESSAGE = (
    "This program is a Terraform provider plugin stand-in (clientctl.terraform.standin) for offline\n"
    "verification. Terraform starts it itself; do not run it directly. Install it with\n"
    "clientctl.terraform.standin.install() and point TF_CLI_CONFIG_FILE at the terraform.rc it writes."
)

_HEALTH_SERVING = b"\x08\x01"  # grpc.health.v1.HealthCheckResponse{status: SERVING}


def _identity(data: Any) -> Any:
    return data


def _serialize(message: Any) -> bytes:
    if isinstance(message, bytes):
        return message
    out: bytes = message.SerializeToString()
    return out


def _self_signed() -> tuple[bytes, bytes, bytes]:
    """(key PEM, certificate PEM, certificate DER) of a fresh ECDSA P-256 certificate for ``localhost``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "clientctl stand-in"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(seconds=30))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.DER)


def _provider_handlers(provider: StandinProvider) -> grpc.GenericRpcHandler:
    service = pb.DESCRIPTOR.services_by_name["Provider"]
    handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {}
    for rpc in RPCS:
        method = service.methods_by_name[rpc]
        request_cls = getattr(pb, method.input_type.containing_type.name).Request
        call = guarded(provider, rpc)

        def handler(request: Any, context: grpc.ServicerContext, call: Callable[[Any], Any] = call) -> Any:
            return call(request)

        handlers[rpc] = grpc.unary_unary_rpc_method_handler(
            handler, request_deserializer=request_cls.FromString, response_serializer=_serialize
        )
    return grpc.method_handlers_generic_handler(service.full_name, handlers)


def serve(provider: StandinProvider, environ: dict[str, str] | None = None) -> int:
    env = dict(os.environ if environ is None else environ)
    if env.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        print(NOT_A_PLUGIN_MESSAGE, file=sys.stderr)
        return 1
    versions = [v.strip() for v in env.get("PLUGIN_PROTOCOL_VERSIONS", str(PROTOCOL_VERSION)).split(",")]
    if str(PROTOCOL_VERSION) not in versions:
        print(
            f"This stand-in speaks plugin protocol {PROTOCOL_VERSION}; Terraform offered {','.join(versions)}.",
            file=sys.stderr,
        )
        return 1

    stop = threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((_provider_handlers(provider),))

    def shutdown(request: Any, context: grpc.ServicerContext) -> bytes:
        stop.set()
        return b""

    def health(request: Any, context: grpc.ServicerContext) -> bytes:
        return _HEALTH_SERVING

    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                "plugin.GRPCController",
                {"Shutdown": grpc.unary_unary_rpc_method_handler(shutdown, _identity, _identity)},
            ),
            grpc.method_handlers_generic_handler(
                "grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(health, _identity, _identity)}
            ),
        )
    )

    sock_dir = tempfile.mkdtemp(prefix="tfstandin-", dir=env.get("PLUGIN_UNIX_SOCKET_DIR") or None)
    sock = os.path.join(sock_dir, "plugin.sock")
    client_cert = env.get("PLUGIN_CLIENT_CERT", "")
    cert_field = ""
    if client_cert:
        key_pem, cert_pem, cert_der = _self_signed()
        # Terraform's client certificate is ECDSA P-521 (go-plugin), which the BoringSSL in grpcio does not
        # offer in its CertificateRequest, so Go's TLS client sends no certificate and a server requiring one
        # fails the handshake (PEER_DID_NOT_RETURN_A_CERTIFICATE, seen with TF_LOG=trace). The server is
        # therefore TLS without client authentication; the socket lives in a 0700 directory of this user.
        creds = grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)
        server.add_secure_port(f"unix:{sock}", creds)
        cert_field = base64.b64encode(cert_der).decode().rstrip("=")
    else:
        server.add_insecure_port(f"unix:{sock}")

    # Terraform forwards Ctrl-C to the whole process group and then shuts plugins down over gRPC.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server.start()
    # A Terraform that dies without the Shutdown RPC (a crash, SIGKILL) would leave us running: go-plugin only
    # cleans up from a live client. Exit when reparented.
    parent = os.getppid()

    def watch_parent() -> None:
        while not stop.wait(1.0):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=watch_parent, name="parent-watch", daemon=True).start()
    fields = ["1", str(PROTOCOL_VERSION), "unix", sock, "grpc"]
    if cert_field:
        fields.append(cert_field)
    sys.stdout.write("|".join(fields) + "\n")
    sys.stdout.flush()
    try:
        stop.wait()
    finally:
        server.stop(grace=0.2)
        shutil.rmtree(sock_dir, ignore_errors=True)
    return 0
