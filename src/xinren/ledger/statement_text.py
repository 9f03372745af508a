"""What a signed statement says, in a line or two of Chinese or English, for `xinren ledger verify`.

Pure Python like the rest of the core (no Django, no gettext): a third party runs the verifier without the
platform. The consumer page's verify.js says the same in Chinese. Unknown types are shown by type and subject.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("zh", "en")

TYPE_NAMES: dict[str, tuple[str, str]] = {
    "trace.event": ("溯源事件", "trace event"),
    "lab.report": ("检测报告", "lab report"),
    "evidence.media": ("证据文件", "evidence file"),
    "evidence.withdrawal": ("证据撤回", "evidence withdrawn"),
    "cost.breakdown": ("成本构成", "cost breakdown"),
    "coldchain.profile": ("冷链温度要求", "cold-chain range"),
    "coldchain.promise": ("时效承诺", "delivery promise"),
    "coldchain.readings": ("冷链温度记录", "cold-chain readings"),
    "review": ("买家评价", "review"),
    "review.diary": ("使用日记", "usage diary"),
    "review.reply": ("商家回复", "merchant reply"),
    "review.response": ("作者回应", "author's response"),
    "review.fold": ("评价折叠", "review folded"),
    "review.unfold": ("评价恢复显示", "review unfolded"),
    "trust.programme": ("区域认证规则", "regional programme"),
    "verification.registry": ("核验名录", "verification registry"),
    "verification.result": ("资质核验结果", "credential check"),
    "key.register": ("签名密钥登记", "signing key registered"),
    "key.rotate": ("签名密钥轮换", "signing key rotated"),
    "key.revoke": ("签名密钥吊销", "signing key revoked"),
    "community.tier": ("评价者等级", "reviewer tier"),
    "community.trial": ("试用活动", "trial"),
    "community.trial.accepted": ("试用接受", "trial accepted"),
}

STEPS: dict[str, tuple[str, str]] = {
    "harvesting": ("采收", "harvested"),
    "commissioning": ("赋码", "commissioned"),
    "inspecting": ("检验", "inspected"),
    "packing": ("包装", "packed"),
    "shipping": ("发货", "shipped"),
    "receiving": ("收货", "received"),
    "storing": ("入库", "stored"),
    "accepting": ("验收", "accepted"),
    "retail_selling": ("零售", "sold"),
    "departing": ("出发", "departed"),
    "arriving": ("到达", "arrived"),
    "transforming": ("加工", "processed"),
    "destroying": ("销毁", "destroyed"),
}

_WORDS = {
    "step": ("步骤", "step"),
    "at": ("时间", "at"),
    "sample": ("样品", "sample"),
    "sampled": ("采样", "sampled"),
    "price": ("售价", "price"),
    "range": ("温度范围", "range"),
    "readings": ("条读数", "readings"),
    "excursions": ("次超温", "excursions"),
    "stars": ("星", "stars"),
    "file": ("文件", "file"),
    "about": ("对象", "about"),
    "key": ("密钥", "key"),
    "holder": ("持有方", "holder"),
    "status": ("状态", "status"),
    "reason": ("原因", "reason"),
}


def _w(word: str, lang: str) -> str:
    return _WORDS[word][0 if lang == "zh" else 1]


def type_name(statement_type: str, lang: str = "zh") -> str:
    names = TYPE_NAMES.get(statement_type)
    return statement_type if names is None else names[0 if lang == "zh" else 1]


def _short(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fen(value: Any) -> str:
    return f"¥{value // 100}.{value % 100:02d}" if isinstance(value, int) and not isinstance(value, bool) else "?"


def _details(s: dict[str, Any], lang: str) -> list[str]:
    kind = s.get("type")
    colon = "：" if lang == "zh" else ": "
    if kind == "trace.event" and isinstance(s.get("event"), dict):
        event = s["event"]
        step = str(event.get("bizStep", "")).rsplit(":", 1)[-1].rsplit("/", 1)[-1]
        label = STEPS.get(step, (step, step))[0 if lang == "zh" else 1]
        return [f"{_w('step', lang)}{colon}{label}", f"{_w('at', lang)}{colon}{event.get('eventTime', '')}"]
    if kind == "lab.report":
        measured: list[Any] = s["measurements"] if isinstance(s.get("measurements"), list) else []
        values = ", ".join(f"{m.get('indicator')} {m.get('value')} {m.get('unit', '')}".strip()
                           for m in measured if isinstance(m, dict))
        sample = f"{_w('sample', lang)}{colon}{s.get('sample_id', '')}"
        return [f"{sample} · {_w('sampled', lang)} {s.get('sampled_at', '')}", _short(values, 200)]
    if kind == "evidence.media":
        return [f"{_w('file', lang)}{colon}{s.get('mediaType', '')} SHA-256 {str(s.get('sha256', ''))[:16]}…",
                _short(s.get("caption", ""))]
    if kind == "cost.breakdown":
        return [f"{_w('price', lang)}{colon}{_fen(s.get('price_fen'))}"]
    if kind == "coldchain.profile" and isinstance(s.get("temperature"), dict):
        t = s["temperature"]
        return [f"{_w('range', lang)}{colon}{t.get('min')}–{t.get('max')} °C"]
    if kind == "coldchain.readings" and isinstance(s.get("readings"), dict):
        r = s["readings"]
        excursions: list[Any] = s["excursions"] if isinstance(s.get("excursions"), list) else []
        return [f"{r.get('count')} {_w('readings', lang)} · {len(excursions)} {_w('excursions', lang)}"]
    if kind == "review":
        return [f"{s.get('stars')} {_w('stars', lang)} · {_short(s.get('text', ''))}"]
    if kind in ("review.reply", "review.diary", "review.response"):
        return [_short(s.get("text", ""))]
    if kind in ("review.fold", "review.unfold", "key.revoke", "evidence.withdrawal"):
        return [f"{_w('reason', lang)}{colon}{_short(s.get('reason', ''))}"]
    if kind in ("key.register", "key.rotate") and isinstance(s.get("key"), dict):
        key_id = str(s["key"].get("id", ""))[:16]
        return [f"{_w('key', lang)} {key_id}… · {_w('holder', lang)}{colon}{s.get('subject')}"]
    if kind == "verification.result":
        return [f"{s.get('kind')} {s.get('number')} · {_w('status', lang)}{colon}{s.get('status')}"]
    if kind == "trust.programme":
        return [str(s.get("name", ""))]
    return [f"{_w('about', lang)}{colon}{_short(s.get('subject', ''))}"]


def statement_lines(statement: dict[str, Any], lang: str = "zh") -> list[str]:
    """The statement's kind, then what it says (a line or two)."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}")
    return [type_name(str(statement.get("type", "")), lang), *[line for line in _details(statement, lang) if line]]
