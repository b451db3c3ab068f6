"""S3 object keys as files inside one folder: the only place a key becomes a local path.

An S3 key is an arbitrary string (up to 1,024 bytes of UTF-8); joined naively onto a folder, keys such as
``../../x``, ``/abs/x`` or ``a/../../x`` point outside it, and ``dir/`` next to ``dir/file`` asks for a
file and a folder of the same name. Backups (``s3 destroy --backup DIR``) and offboarding's ``--export``
both copy objects to disk, so both go through :func:`plan_files` and :func:`write_object`:

* each ``/``-separated segment of the key stays readable, but ``%`` and characters that are unsafe in file
  names are percent-encoded, and the segments ``""``, ``.`` and ``..`` (empty segments come from a leading,
  doubled or trailing ``/``) become ``%``, ``%2e`` and ``%2e%2e`` (never produced by the encoding of a
  real segment: the encoding writes upper-case hex, so no two keys map to the same path);
* a segment longer than :data:`MAX_SEGMENT` bytes once encoded (file systems allow 255) keeps its first
  part and ends in ``%h`` and a hash of the whole segment;
* a key whose path is also a folder of another key's path (``dir`` beside ``dir/file``) gets the suffix
  ``%object`` on its last segment;
* nothing is written through a symbolic link below the folder: every folder on the way is created or
  checked with ``lstat``, and the file is opened with ``O_NOFOLLOW``;
* the caller keeps a manifest of original key -> relative file, so nothing depends on decoding names.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Final
from urllib.parse import quote

from clientctl.errors import ClientctlError

#: Characters kept as they are in a segment (besides ASCII letters and digits); everything else,
#: ``%`` included, is percent-encoded.
_SAFE: Final = "-_.~+=,@:!#$&'()[]{};^ "
_SPECIAL: Final = {"": "%", ".": "%2e", "..": "%2e%2e"}
#: Longest encoded segment kept whole (NAME_MAX is 255 bytes on Linux and macOS file systems).
MAX_SEGMENT: Final = 200
#: Appended to the last segment of a key whose path is a folder of another key.
FOLDER_CLASH_SUFFIX: Final = "%object"


def key_segments(key: str) -> list[str]:
    """The encoded path segments of ``key`` (see the module docstring)."""
    return [_SPECIAL.get(part) or _shorten(quote(part, safe=_SAFE)) for part in key.split("/")]


def _shorten(segment: str) -> str:
    if len(segment.encode()) <= MAX_SEGMENT:
        return segment
    digest = hashlib.sha256(segment.encode()).hexdigest()[:16]
    return segment.encode()[: MAX_SEGMENT - 18].decode(errors="ignore") + "%h" + digest


def plan_files(keys: Iterable[str]) -> dict[str, PurePosixPath]:
    """Map every key to a distinct relative path; no path is a folder of another."""
    paths = {key: PurePosixPath(*key_segments(key)) for key in keys}
    folders = {parent for path in paths.values() for parent in path.parents if parent != PurePosixPath(".")}
    planned: dict[str, PurePosixPath] = {}
    for key, path in paths.items():
        if path in folders:
            path = path.with_name(path.name + FOLDER_CLASH_SUFFIX)
        planned[key] = path
    return planned


def write_object(root: Path, relative: PurePosixPath, data: bytes) -> Path:
    """Write ``data`` to ``root / relative`` without leaving ``root`` or following a link below it."""
    if relative.is_absolute() or any(part in ("", ".", "..") for part in relative.parts):
        raise ClientctlError(f"refusing to write {relative}: not a plain relative path")
    folder = root
    for part in relative.parts[:-1]:
        folder = folder / part
        try:
            os.mkdir(folder)
        except FileExistsError:
            mode = os.lstat(folder).st_mode
            if not stat.S_ISDIR(mode):
                kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"
                raise ClientctlError(
                    f"refusing to write below {folder}: it is {kind}",
                    hint="write to an empty folder (nothing was deleted)",
                ) from None
    target = folder / relative.parts[-1]
    # A rerun overwrites its own earlier copy (a regular file); O_NOFOLLOW refuses a link in its place.
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(target, flags, 0o666)
    except OSError as exc:
        raise ClientctlError(
            f"refusing to write {target}: {exc.strerror or exc} (a symbolic link or a folder is in its place)",
            hint="write to an empty folder (nothing was deleted)",
        ) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return target
