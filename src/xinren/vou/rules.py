"""The explainable layer of the complaint-type classifier: cue words per type, with negation (没有压坏 is no
damage), intensity (太慢 weighs more than 慢) and the product's category (过期 is spoiled for food, a quality fault
for a cream; 不甜 is poor quality for fruit). Each finding keeps the span that triggered it: that is the evidence.

The lexicon is data reviewed like code: `LEXICON_VERSION` is part of the model version.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

LEXICON_VERSION = "lex-1"


def _words(scope: str, words: str) -> tuple[tuple[str, str], ...]:
    return tuple((word, scope) for word in _phrases(words))


def _phrases(words: str) -> tuple[str, ...]:
    return tuple(words.split())


# Categories of the catalog (catalog.choices.ProductCategory) that are eaten or drunk; flowers perish too.
FOOD = frozenset(
    {"wild_mushroom", "tea", "baked_goods", "fruit", "vegetables", "grain_oil", "meat_eggs", "honey", "coffee"}
)
PERISHABLE = FOOD | {"fresh_flowers"}

# Scopes: "" everywhere; "food"/"perishable" those categories (and an unknown category: most goods sold here are
# food); "durable" every category that is not perishable; any other value is one category.
_CUES: dict[str, tuple[tuple[str, str], ...]] = {
    "damaged": _words(
        "",
        "破损 压坏 压扁 压碎 压烂 压塌 压变形 压过 摔碎 摔烂 摔坏 摔裂 碎了 碎成 破了 裂开 裂了 "
        "裂纹 漏了 漏油 断了 断成 折断 折了 变形 凹陷 凹了 凹进 瘪 磕碰 磕伤 擦伤 划破 破口 撕破 "
        "挤破 漏气 破洞 破了个 掉了一块 被压 弯的 挤扁 渗出",
    ),
    "spoiled": _words(
        "perishable",
        "发霉 霉点 霉味 长毛 白毛 绿毛 白霉 变质 腐烂 烂了 烂的 烂心 烂果 全坏 坏掉 是坏的 就烂 "
        "黑斑 放坏 臭了 臭味 发臭 馊 酸臭 哈喇味 哈味 不新鲜 发酸 酸了 化水 发黑 发软 软烂 生虫 "
        "受潮 发芽 蔫 枯萎 褐变 陈味 酒味 发酵 散黄 腐败 凋谢 谢了 捂坏",
    )
    + _words(
        "food",
        "过期 临期",
    ),
    "poor_quality": _words(
        "",
        "质量差 质量不好 品质差 做工粗糙 做工差 做工很粗 粗糙 口感差 口感一般 不好吃 难吃 不好喝 难喝 "
        "没味 没有味道 没什么味道 味道淡 很淡 不香 掉色 褪色 起球 不保湿 搓泥 没效果 没有效果 "
        "没有任何效果 太硬 嚼不动 太咸 太甜 齁 杂味 浑浊 涩口 焦苦 夹生 沙子 泥沙 碎末 毛刺 显脏 "
        "拔干 太油 留香时间太短 开不了 不如以前 下降 卸不干净 很油 油烟 太稀 颗粒感 很柴 太紧",
    )
    + _words(
        "fruit",
        "不甜 酸涩 很酸 太酸 酸得 不脆 是面的 水分很少 汁少 皮厚 没有果粉 白开水",
    )
    + _words(
        "durable",
        "过期 发黑",
    ),
    "not_as_described": _words(
        "",
        "货不对板 描述不符 不符 发错 寄错 发来的是 寄来的是 给的是 来的是 收到的是 不一致 不对 实物 "
        "比图片 和图片 与图片 图片上 色差 差太多 宣传 页面写 页面说 详情页 标题写 说是 等外品 明明 "
        "称了 不是手工 机器印花 机绣 配料表 差很多",
    ),
    "counterfeit": _words(
        "",
        "假货 假的 假冒 仿冒 高仿 山寨 冒牌 冒充 不是正品 非正品 扫不出 查不到 伪造 贴牌 勾兑 掺了 "
        "防伪 仿的 不是纯银 涂改",
    ),
    "late_delivery": _words(
        "",
        "没发货 不发货 未发货 还没到 没收到 没有收到 太慢 很慢 好慢 慢了 迟迟 等了 超时 延迟 没更新 "
        "丢件 丢失 不派送 没派送 才到 才收到 才送到 没动静 被退回 不动 没有物流 还没有发货 "
        "什么时候能发货 发的是普通快递",
    ),
    "missing_items": _words(
        "",
        "少发 漏发 少了 缺件 缺少 没有送 没送 没给 没有放 没放 没寄 没有寄 只收到 空的 赠品 小样 "
        "补发 数了 没开 没有发 少一",
    ),
    "rude_service": _words(
        "",
        "态度差 态度不好 态度恶劣 恶劣 不耐烦 不理人 不回 没人回 没人理 没人接 已读不回 拉黑 敷衍 "
        "答非所问 推卸 骂人 辱骂 威胁 阴阳怪气 机器人 不在线 打不通 一问三不知 扔 私自签收 没打电话 "
        "没有下文 自己去 有人在吗 说是我自己 很累",
    ),
    "refund_friction": _words(
        "",
        "不给退 不退 拒绝退款 不同意退款 被拒 驳回 不让退 不给换 拒绝 不处理 没处理 待处理 无人受理 "
        "还没退 迟迟不退 没到账 还没收到 拖着 退款慢 退款流程 自己出 不能取消 不给保价 退货地址 "
        "只肯补偿 只能补偿 不补",
    ),
    "safety_allergy": _words(
        "",
        "过敏 红疹 起疹 疹子 红点 刺痛 泛红 红肿 肿 发痒 痒 拉肚子 腹泻 呕吐 吐了 头晕 肚子疼 "
        "不舒服 就医 医院 头发 异物 钉子 塑料丝 玻璃渣 铁丝 石子 硬物 虫子 有虫 死蜜蜂 杂质 不卫生 "
        "很脏 污渍 农药 化学味 闭口 脱皮 刺激 果蝇 虫眼",
    ),
    "price": _words(
        "",
        "太贵 贵 不值 性价比 降价 差价 便宜 价格 多收 多扣 运费比 智商税 割韭菜 坑 涨到 虚标 原价 "
        "全价 满减 优惠券用不了 没减 价保 这个价 定价 最低价 限时价",
    ),
}

# Words that set a negative tone without naming a complaint type (they weigh in the sentiment, not the types).
_NEGATIVE_TONE = ("差评", "失望", "垃圾", "踩雷", "后悔", "糟糕", "不推荐", "不会再买", "再也不", "恶心", "气死",
                  "好气", "不满意", "离谱", "太差", "别买")  # fmt: skip

NEGATORS = ("没有", "并不", "并没有", "从不", "从来没", "不", "没", "无", "未", "毫无", "别")
_INTENSIFIERS = ("太", "很", "特别", "非常", "严重", "全", "都", "完全", "超级", "极", "好几", "一大半", "一半")
# Fixed phrases whose cue words are not complaints (不甜不要钱 is a boast; 完好无损 is praise).
_SAFE_PHRASES = _phrases(
    "不甜不要钱 完好无损 不要钱 没有色差 无色差 一点都不贵 不贵 物美价廉 不错 价格公道 价格合理 价钱合理 "
    "价格实惠 性价比很高 性价比高 不刺激 这个价位很值 值这个价 比超市便宜 主动补发 马上补发 补发已签收 "
    "延迟原因"
)
_CLAUSE = re.compile(r"[，。！？!?,.;；、\s]|但是|但|可是|不过|就是|可惜|虽然")
_WINDOW = 4  # characters before a cue that a negator or intensifier may sit in


@dataclass(frozen=True)
class Finding:
    """One cue matched in a text: the type, the span as written, and its weight (1, 1.5 when intensified)."""

    type: str
    span: str
    start: int
    weight: float


def _applies(scope: str, category: str | None) -> bool:
    if not scope:
        return True
    if scope == "food":
        return category is None or category in FOOD
    if scope == "perishable":
        return category is None or category in PERISHABLE
    if scope == "durable":
        return category is not None and category not in PERISHABLE
    return category == scope


@functools.lru_cache(maxsize=64)
def _patterns(category: str | None) -> tuple[tuple[str, re.Pattern[str]], ...]:
    compiled = []
    for kind, cues in _CUES.items():
        words = sorted({cue for cue, scope in cues if _applies(scope, category)}, key=lambda w: (-len(w), w))
        if words:
            compiled.append((kind, re.compile("|".join(map(re.escape, words)))))
    return tuple(compiled)


def _mask(text: str) -> str:
    for phrase in _SAFE_PHRASES:
        text = text.replace(phrase, "\0" * len(phrase))
    return text


def _clause_start(text: str, index: int) -> int:
    start = 0
    for match in _CLAUSE.finditer(text, 0, index):
        start = match.end()
    return start


def _negated(before: str, cue: str) -> bool:
    if cue.startswith(NEGATORS):
        return False  # 不新鲜, 没收到: the negation is part of the cue
    return any(negator in before for negator in NEGATORS)


def findings(text: str, *, category: str | None = None) -> list[Finding]:
    """Every cue in the text that applies to the category and is not negated, longest cue first at a position."""
    masked = _mask(text)
    found: list[Finding] = []
    for kind, pattern in _patterns(category):
        # One alternation per type, longest cue first: a match never sits inside a longer cue of the same type.
        for match in pattern.finditer(masked):
            start, cue = match.start(), match.group()
            before = masked[max(_clause_start(masked, start), start - _WINDOW) : start]
            if _negated(before, cue):
                continue
            weight = 1.5 if any(word in before for word in _INTENSIFIERS) else 1.0
            found.append(Finding(kind, text[start : match.end()], start, weight))
    found = _late_or_missing(masked, found)
    return sorted(found, key=lambda f: (f.start, f.type))


def _late_or_missing(text: str, found: list[Finding]) -> list[Finding]:
    """The cue 没收到 in a clause about a gift or a refund is a missing item or a refund not paid, not a late parcel."""
    clauses = {_clause_start(text, f.start) for f in found if f.type in {"missing_items", "refund_friction"}}
    return [f for f in found if not (f.type == "late_delivery" and _clause_start(text, f.start) in clauses)]


def evidence(found: list[Finding]) -> dict[str, list[str]]:
    """The matched spans per type, in text order, without repeats."""
    spans: dict[str, list[str]] = {}
    for finding in found:
        if finding.span not in spans.setdefault(finding.type, []):
            spans[finding.type].append(finding.span)
    return spans


def strength(found: list[Finding]) -> float:
    """How strongly the cues complain: the sum of their weights."""
    return sum(f.weight for f in found)


def negative_tone(text: str) -> list[str]:
    """Words that set a negative tone without naming a type (差评, 失望 …), not negated."""
    masked = _mask(text)
    return [w for w in _NEGATIVE_TONE if w in masked]
