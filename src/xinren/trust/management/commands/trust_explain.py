"""Recompute a product's trust score from signed ledger statements alone and compare it with the stored one."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from xinren.trust.scores.explain import FOLDED
from xinren.trust.scores.verify import Explanation, score_explain, stored_compare


def _names() -> dict[str, str]:
    return {"quality": _("质量"), "reviews": _("评价"), "aftersales": _("售后"), "credit": _("商家信用")}


def _check_names() -> dict[str, str]:
    """Each check in the reader's language (its code stays beside it: scripts and the JSON output use the code)."""
    return {
        "statement": _("签名声明"), "signature": _("签名"), "in_log": _("已入日志"), "recomputed": _("重算"),
        "stored": _("平台存储的分数"), "sources.reviews": _("来源：评价"), "sources.lab_reports": _("来源：检测报告"),
        "sources.claims_upheld": _("来源：成立的售后"), "sources.suspensions": _("来源：暂停销售"),
        "sources.probation": _("来源：考察期"),
    }


class Command(BaseCommand):
    help = "Explain a product's trust score from the transparency log alone; exit 1 unless it checks out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("gtin")
        parser.add_argument("--lang", choices=["zh", "en"], default="zh")
        parser.add_argument("--json", action="store_true", help="print the explanation as JSON")
        parser.add_argument("--no-compare", action="store_true", help="do not compare with the stored score")

    def handle(self, *args: Any, **options: Any) -> None:
        explanation = score_explain(str(options["gtin"]).strip())
        if explanation.statement is not None and not options["no_compare"]:
            explanation.checks.append(stored_compare(explanation))
        with translation.override("zh-hans" if options["lang"] == "zh" else "en"):
            if options["json"]:
                self.stdout.write(json.dumps(explanation.as_dict(), ensure_ascii=False, indent=2))
            else:
                self._print(explanation)
            if not explanation.ok:
                failed = [c for c in explanation.checks if not c.ok]
                raise CommandError(
                    _("信任分核验未通过：%(checks)s") % {"checks": "; ".join(f"{c.code}: {c.detail}" for c in failed)},
                    returncode=1,
                )

    def _print(self, explanation: Explanation) -> None:
        statement = explanation.statement
        if statement is None:
            return
        score = statement["score"] if statement["score"] is not None else _("评分数据不足")
        self.stdout.write(
            _("商品 %(gtin)s 的信任分（公式 %(version)s）：%(score)s")
            % {"gtin": explanation.gtin, "version": statement["version"], "score": score}
        )
        where = _("待入账") if explanation.index is None else str(explanation.index)
        self.stdout.write(
            _("签名声明 %(leaf)s，日志序号 %(index)s，计算于 %(at)s")
            % {"leaf": explanation.leaf_hash, "index": where, "at": statement["computed_at"]}
        )
        recomputed = explanation.recomputed or {"components": {}}
        for code, name in _names().items():
            part = recomputed["components"].get(code, {})
            value = part.get("value") if part.get("value") is not None else "—"
            self.stdout.write(f"  {name:<6} {value:>5}  × {part.get('weight', '')}")
        inputs = statement.get("inputs", {})
        reviews = inputs.get("reviews", [])
        counted = reviews[FOLDED]["counted"] if isinstance(reviews, dict) else len(reviews)
        self.stdout.write(
            _("输入：评价 %(reviews)s 条，检测报告 %(labs)s 份，签收订单 %(orders)s，售后成立 %(claims)s")
            % {
                "reviews": counted,
                "labs": len(inputs.get("lab_reports", [])),
                "orders": inputs.get("orders_delivered", 0),
                "claims": inputs.get("claims_upheld", 0),
            }
        )
        names = _check_names()
        for check in explanation.checks:
            name = names.get(check.code, check.code)
            self.stdout.write(f"  {'✓' if check.ok else '✗'} {name} ({check.code}) {check.detail}")
        if explanation.ok:
            self.stdout.write(_("重算结果与签名声明一致。"))
