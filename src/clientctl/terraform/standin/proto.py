"""Typed boundary to the generated tfplugin6 protobuf classes.

The classes come from the PyPI package ``pyvider`` (Apache-2.0), which ships ``tfplugin6_pb2.py`` generated
from Terraform's current ``tfplugin6.proto`` (ephemeral resources, write-only attributes, identities, list
resources, actions, state stores). We depend on the package for these stubs only, not on its framework.

``import pyvider....tfplugin6_pb2`` would first run ``pyvider/__init__.py``, which imports
``provide.foundation`` and costs about 0.3 s per provider start (measured with ``python -X importtime``;
Terraform starts a provider several times per command). The generated module itself imports nothing but
``google.protobuf``, so at run time it is loaded straight from its file in the installed distribution. For
mypy the ordinary import is used, so every message class stays typed by pyvider's ``.pyi`` stub.
"""

from __future__ import annotations

import importlib.util
import sys
from importlib import metadata
from typing import TYPE_CHECKING

_REL_PATH = "pyvider/protocols/tfprotov6/protobuf/tfplugin6_pb2.py"
_MODULE_NAME = "clientctl_standin_tfplugin6_pb2"

if TYPE_CHECKING:
    from pyvider.protocols.tfprotov6.protobuf import tfplugin6_pb2 as pb
else:

    def _load():  # pragma: no cover - exercised by every server start
        if _MODULE_NAME in sys.modules:
            return sys.modules[_MODULE_NAME]
        path = metadata.distribution("pyvider").locate_file(_REL_PATH)
        spec = importlib.util.spec_from_file_location(_MODULE_NAME, str(path))
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load tfplugin6 stubs from {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[_MODULE_NAME] = module
        spec.loader.exec_module(module)
        return module

    pb = _load()

__all__ = ["pb"]
