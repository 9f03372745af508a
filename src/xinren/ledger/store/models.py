"""The platform log's tables: the pending pool, the sequenced entries, stored hashes, checkpoints, keys.

Only `services` and `sequencer` write here, and only by inserting: an entry, a stored hash or a
signed checkpoint is never updated or deleted (admin is read-only, and no service has an update path).
The one mutable row is `LogState`, the sequencer's lock and tree head. Pending rows are deleted once
they have become entries, in the same transaction.

The ledger sits below `accounts`, so owners and signers are plain strings here ("org:<id>", "platform").
"""

from __future__ import annotations

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class RowIdField(models.BigIntegerField):
    """A 64-bit integer primary key that SQLite keeps as the table's row id.

    SQLite makes a column the row id only when it is declared exactly `INTEGER PRIMARY KEY`; Django declares a
    BigIntegerField `bigint`, which leaves a hidden row id beside it and a second B-tree to keep in step on every
    insert. Log entries and stored hashes are written in key order and read by key, so on SQLite they live in
    their row-id B-tree alone (ADR 0010). PostgreSQL keeps `bigint`.
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class LogState(models.Model):
    """The single row that integrations lock (FOR UPDATE on PostgreSQL) and the tree head it guards."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(_("日志大小"), default=0)
    root = models.BinaryField(_("根哈希"), max_length=32)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("日志状态")
        verbose_name_plural = _("日志状态")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="ledger_logstate_single_row")]

    def __str__(self) -> str:
        return f"log size {self.size}"


class PendingEntry(models.Model):
    """An accepted envelope waiting for the next integration; durable before the caller is answered."""

    leaf_hash = models.BinaryField(_("叶哈希"), max_length=32, unique=True)
    envelope = models.BinaryField(_("签名信封"))
    signer_key_id = models.CharField(_("签名密钥"), max_length=64)
    statement_type = models.CharField(_("声明类型"), max_length=64)
    subject = models.CharField(_("主体"), max_length=512)
    corrects = models.BinaryField(_("更正的条目"), max_length=32, null=True, blank=True)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("待入账条目")
        verbose_name_plural = _("待入账条目")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"pending {bytes(self.leaf_hash).hex()[:16]}"


class LogEntry(models.Model):
    """One leaf of the Merkle tree: a signed DSSE envelope, exactly the bytes that were hashed."""

    index = RowIdField(_("序号"), primary_key=True)
    leaf_hash = models.BinaryField(_("叶哈希"), max_length=32, unique=True)
    envelope = models.BinaryField(_("签名信封"))
    signer_key_id = models.CharField(_("签名密钥"), max_length=64)
    statement_type = models.CharField(_("声明类型"), max_length=64)
    subject = models.CharField(_("主体"), max_length=512)
    corrects = models.BinaryField(_("更正的条目"), max_length=32, null=True, blank=True)
    received_at = models.DateTimeField(_("接收时间"))
    integrated_at = models.DateTimeField(_("入账时间"))

    class Meta:
        verbose_name = _("日志条目")
        verbose_name_plural = _("日志条目")
        ordering = ["index"]
        # Few entries correct another; indexing only those keeps the append path cheap. Subjects are only
        # looked up by equality, so a plain index (not db_index, which adds a LIKE index on PostgreSQL).
        indexes = [
            models.Index(fields=["subject"], name="ledger_entry_subject"),
            models.Index(fields=["corrects"], condition=models.Q(corrects__isnull=False), name="ledger_entry_corrects")
        ]

    def __str__(self) -> str:
        return f"#{self.index} {self.statement_type}"


class TreeHash(models.Model):
    """The hash of one complete subtree, keyed by Go tlog's append-order numbering of (level, index)."""

    id = RowIdField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("子树哈希")
        verbose_name_plural = _("子树哈希")

    def __str__(self) -> str:
        return f"stored hash {self.id}"


class SignedCheckpoint(models.Model):
    """A tree head the log signed (C2SP tlog-checkpoint note). One per size: the log never forks."""

    size = models.BigIntegerField(_("日志大小"), unique=True)
    root = models.BinaryField(_("根哈希"), max_length=32)
    note = models.TextField(_("签名检查点"))
    created_at = models.DateTimeField(_("签署时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查点")
        verbose_name_plural = _("检查点")
        ordering = ["-size"]

    def __str__(self) -> str:
        return f"checkpoint {self.size}"


class Cosignature(models.Model):
    """A witness's cosignature line on one checkpoint (tlog-cosignature v1)."""

    checkpoint = models.ForeignKey(SignedCheckpoint, on_delete=models.PROTECT, related_name="cosignatures")
    witness = models.CharField(_("见证方"), max_length=256)
    line = models.TextField(_("签名行"))
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("见证签名")
        verbose_name_plural = _("见证签名")
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "witness"], name="ledger_cosignature_one_per_witness")
        ]

    def __str__(self) -> str:
        return f"{self.witness} on {self.checkpoint_id}"


class WitnessState(models.Model):
    """The latest size a witness cosigned for this log, as the tlog-witness protocol's `old` line needs."""

    url = models.CharField(_("见证方地址"), max_length=512, unique=True)
    size = models.BigIntegerField(_("已见证大小"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("见证方状态")
        verbose_name_plural = _("见证方状态")

    def __str__(self) -> str:
        return f"{self.url} at {self.size}"


class KeyStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    RETIRED = "retired", _("已轮换")
    REVOKED = "revoked", _("已吊销")


# A key only ever moves forward: active → retired (rotated out) → revoked, or active → revoked.
KEY_TRANSITIONS: TransitionTable = {
    KeyStatus.ACTIVE: frozenset({KeyStatus.RETIRED, KeyStatus.REVOKED}),
    KeyStatus.RETIRED: frozenset({KeyStatus.REVOKED}),
    KeyStatus.REVOKED: frozenset(),
}


class KeyRecord(models.Model):
    """The log's key directory: who may sign entries, mirrored by key statements in the log itself.

    Public keys stay forever so that old entries remain verifiable after rotation or revocation.
    """

    key_id = models.CharField(_("密钥 ID"), max_length=64, unique=True)
    public_key = models.BinaryField(_("公钥"), max_length=32)
    owner = models.CharField(_("持有方"), max_length=64, db_index=True)
    custodial = models.BooleanField(_("平台托管"), default=False)
    status = models.CharField(_("状态"), max_length=8, choices=KeyStatus.choices, default=KeyStatus.ACTIVE)
    registered_leaf_hash = models.BinaryField(_("登记声明叶哈希"), max_length=32)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签名公钥")
        verbose_name_plural = _("签名公钥")

    def __str__(self) -> str:
        return f"{self.owner} {self.key_id[:16]} ({self.status})"
