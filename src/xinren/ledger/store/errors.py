"""Stable error codes of the platform log, and the translation of the pure core's failures into them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from xinren.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from xinren.ledger.errors import LedgerError

ENVELOPE_MALFORMED = "ledger.envelope_malformed"
ENVELOPE_TOO_LARGE = "ledger.envelope_too_large"
PAYLOAD_TYPE = "ledger.payload_type_unexpected"
SIGNATURE_INVALID = "ledger.signature_invalid"
STATEMENT_INVALID = "ledger.statement_invalid"
STATEMENT_MISMATCH = "ledger.statement_mismatch"
STATEMENT_TYPE_RESERVED = "ledger.statement_type_reserved"
CORRECTS_UNKNOWN = "ledger.corrects_unknown"
KEY_UNKNOWN = "ledger.key_unknown"
KEY_WRONG_OWNER = "ledger.key_wrong_owner"
KEY_REVOKED = "ledger.key_revoked"
KEY_RETIRED = "ledger.key_retired"
KEY_EXISTS = "ledger.key_exists"
KEY_TRANSITION = "ledger.key_transition"
KEY_INVALID = "ledger.key_invalid"
BATCH_INVALID = "ledger.batch_invalid"
ENTRY_NOT_FOUND = "ledger.entry_not_found"
TREE_SIZE_INVALID = "ledger.tree_size_invalid"
TILE_NOT_FOUND = "ledger.tile_not_found"
QUERY_INVALID = "ledger.query_invalid"
LOG_CORRUPT = "ledger.log_corrupt"


class LogCorrupted(DomainError):
    """The stored tree disagrees with the last signed checkpoint: integration stops rather than fork."""

    status = 500


def envelope_refused(exc: LedgerError, *, details: dict[str, Any] | None = None) -> DomainError:
    """A DomainError for an envelope that the pure core refused, keeping its precise reason."""
    details = {"reason": exc.code, "detail": exc.message, **(details or {})}
    if exc.code == "envelope_too_large":
        return InvalidInput(ENVELOPE_TOO_LARGE, _("签名信封过大：一条日志条目最多 65535 字节"), details=details)
    if exc.code == "payload_type_unexpected":
        return InvalidInput(PAYLOAD_TYPE, _("签名信封的载荷类型不是信任声明"), details=details)
    if exc.code in {"signature_invalid", "signature_duplicate"}:
        return PermissionDenied(SIGNATURE_INVALID, _("签名校验失败：内容与签名不符"), details=details)
    if exc.code == "no_known_signature":
        return PermissionDenied(KEY_UNKNOWN, _("签名信封没有由已登记密钥签署的签名"), details=details)
    return InvalidInput(ENVELOPE_MALFORMED, _("签名信封格式错误"), details=details)


def key_unknown(key_ids: list[str]) -> DomainError:
    return PermissionDenied(KEY_UNKNOWN, _("签名密钥未登记"), details={"key_ids": key_ids})


def key_wrong_owner(key_ids: list[str]) -> DomainError:
    return PermissionDenied(KEY_WRONG_OWNER, _("签名密钥不属于提交方"), details={"key_ids": key_ids})


def key_revoked(key_id: str) -> DomainError:
    return PermissionDenied(KEY_REVOKED, _("签名密钥已被吊销"), details={"key_id": key_id})


def key_retired(key_id: str) -> DomainError:
    return PermissionDenied(KEY_RETIRED, _("签名密钥已轮换停用，请使用新密钥"), details={"key_id": key_id})


def statement_invalid(reason: str) -> DomainError:
    return InvalidInput(STATEMENT_INVALID, _("声明内容无效"), details={"reason": reason})


def entry_not_found() -> DomainError:
    return NotFound(ENTRY_NOT_FOUND, _("日志中没有该条目"))


def tree_size_invalid(reason: str) -> DomainError:
    return InvalidInput(TREE_SIZE_INVALID, _("日志大小或序号超出范围"), details={"reason": reason})


def query_invalid(parameter: str) -> DomainError:
    return InvalidInput(QUERY_INVALID, _("查询参数无效"), details={"parameter": parameter})
