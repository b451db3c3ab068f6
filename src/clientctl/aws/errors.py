"""What an AWS error means, in one place: the codes S3 and DynamoDB use for one condition differ by API
(``HeadBucket`` answers a bare ``404``, ``ListObjectsV2`` says ``NoSuchBucket``), so callers ask a predicate
instead of spelling code sets."""

from __future__ import annotations

import botocore.exceptions

#: A bucket that does not exist: ``NoSuchBucket`` (most APIs), ``404``/``NotFound`` (HEAD requests).
MISSING_BUCKET = frozenset({"NoSuchBucket", "404", "NotFound"})
#: An object that does not exist: ``NoSuchKey`` (GetObject), ``404``/``NotFound`` (HeadObject).
MISSING_KEY = frozenset({"NoSuchKey", "404", "NotFound"})
#: An object or its bucket that does not exist (a GetObject of a state that was never written).
MISSING_OBJECT = MISSING_KEY | MISSING_BUCKET
#: A DynamoDB table that does not exist.
MISSING_TABLE = frozenset({"ResourceNotFoundException"})
#: Access refused: ``AccessDenied`` (most APIs), ``403``/``Forbidden`` (HEAD requests).
ACCESS_DENIED = frozenset({"AccessDenied", "403", "Forbidden"})


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ClientError (``NoSuchBucket``), else the exception's class name."""
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return type(exc).__name__


def is_missing_bucket(exc: BaseException) -> bool:
    return error_code(exc) in MISSING_BUCKET


def is_missing_key(exc: BaseException) -> bool:
    return error_code(exc) in MISSING_KEY


def is_missing_object(exc: BaseException) -> bool:
    return error_code(exc) in MISSING_OBJECT


def is_access_denied(exc: BaseException) -> bool:
    return error_code(exc) in ACCESS_DENIED


def is_missing_table(exc: BaseException) -> bool:
    return error_code(exc) in MISSING_TABLE
