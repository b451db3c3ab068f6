"""Provider stand-ins: Terraform plugins (protocol 6) that serve our committed provider schemas.

Terraform cannot download providers here, yet ``validate``, ``test`` (``mock_provider``), ``plan`` and even
``apply`` against a local emulator need a provider process that answers with the real schema. Each stand-in
is ``python -m clientctl.terraform.standin --provider <name>``; :func:`install` lays them out as a filesystem
mirror with a CLI configuration (see docs/provider-standins.md).

Why this base: a hand-written gRPC servicer (``grpcio``) over the generated tfplugin6 messages shipped in the
PyPI package ``pyvider`` 0.8.1 (Apache-2.0). Compared on 2026-12-02 after ``pip install`` of both:

* ``tf`` 1.2.0 (MIT, hfern/tf) ships tfplugin6 stubs from an older proto: no ephemeral resources, no
  ``write_only`` attribute flag (both used by our layers), no identity/list/action RPCs. Its framework wants a
  Python class per resource type.
* ``pyvider`` 0.8.1 ships stubs of the current proto (ephemeral, write-only, identities, list resources,
  actions, state stores). Its framework is also class-per-component and its package import costs ~0.3 s
  (``provide.foundation``), so we take only the generated ``tfplugin6_pb2`` (loaded by file, see
  :mod:`.proto`) and drive everything from the schema data: one generic provider for ~2,400 types.

No ``.proto`` file or stubs are committed here.
"""

from __future__ import annotations

from clientctl.terraform.standin.install import MOCK_ENV, PROVIDERS, StandinConfig, install

__all__ = ["MOCK_ENV", "PROVIDERS", "StandinConfig", "install"]
