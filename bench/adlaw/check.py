"""Advertising Law checker benchmark: findings per second on generated product descriptions (one process), and
precision/recall on the project's labelled set (src/xinren/adlaw/data/labelled_v1.csv).

    DJANGO_SETTINGS_MODULE=xinren.settings PYTHONPATH=src python bench/adlaw/check.py [--count 100000]
"""

from __future__ import annotations

import argparse
import random
import time

import django

FRAGMENTS = [
    "雨季清晨采摘的野生菌",
    "当天分拣，冷链直发",
    "产地直发",
    "收到后请冷藏保存",
    "清炖、煲汤皆宜",
    "手工炒制",
    "每盒约 500 克",
    "树上自然成熟",
    "糖度 13 度以上",
    "坏果包赔",
    "海拔两千米的高山茶园",
    "不加防腐剂",
    "散养土鸡蛋",
    "一年一取的土蜂蜜",
    "中度烘焙",
    "竹编手工",
    "适合送礼和自用",
    "口感细腻，回甘明显",
    "今年雨水充足，品质稳定",
    "全程可追溯，扫码查看批次",
    "施有机肥的果园",
    "第一批春茶",
    "最佳食用期 7 天",
    "最好冷藏保存",
    "本店销量第一",
    "国家级非遗技艺",
]
VIOLATIONS = ["全网最好", "顶级品质", "降血压", "有机认证", "专家推荐", "送礼首选", "无副作用", "唯一正宗", "100%有效"]


def descriptions(count: int, seed: int = 16) -> list[str]:
    """Product descriptions of 4–8 fragments (about 50 characters); one in five carries a violation."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = rng.sample(FRAGMENTS, rng.randint(4, 8))
        if rng.random() < 0.2:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(VIOLATIONS))
        texts.append("，".join(parts) + "。")
    return texts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    django.setup()
    from xinren.adlaw import TERMS_VERSION, check
    from xinren.adlaw.evaluation import evaluate
    from xinren.adlaw.terms import term_list

    started = time.perf_counter()
    automaton = term_list(TERMS_VERSION).automaton
    built = time.perf_counter() - started
    texts = descriptions(args.count)
    characters = sum(map(len, texts))
    started = time.perf_counter()
    findings = blocked = 0
    for text in texts:
        found = check(text, field="description", category="tea")
        findings += len(found)
        blocked += any(finding.severity == "block" for finding in found)
    seconds = time.perf_counter() - started
    print(f"terms {TERMS_VERSION}: automaton of {len(automaton)} states built in {built * 1000:.1f} ms")
    print(
        f"{args.count} descriptions ({characters / args.count:.0f} characters on average) in {seconds:.2f} s: "
        f"{args.count / seconds:,.0f} descriptions/s, {findings} findings ({findings / seconds:,.0f} findings/s), "
        f"{blocked} blocked"
    )
    scores = evaluate()
    print(
        f"labelled set: {scores.lines} lines, precision {scores.precision:.3f}, recall {scores.recall:.3f} "
        f"(over rule:severity pairs), block/pass decisions right {scores.decisions_right}/{scores.lines}"
    )
    for kind, (lines, tp, fp, fn, right) in scores.by_kind:
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(
            f"  {kind:<10} {lines:>3} lines: precision {precision:.3f}, recall {recall:.3f}, "
            f"false findings {fp}, decisions right {right}/{lines}"
        )
    for text, expected, found in scores.mistakes:
        print(f"  {text!r}: expected {sorted(expected)}, found {sorted(found)}")


if __name__ == "__main__":
    main()
