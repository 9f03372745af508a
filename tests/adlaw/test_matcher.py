"""The Aho–Corasick automaton finds every occurrence of every pattern, overlaps included."""

import random

from xinren.adlaw.matcher import Automaton
from xinren.adlaw.terms import normalize, term_list


def _naive(patterns: list[str], text: str) -> set[tuple[int, int, int]]:
    return {
        (start, start + len(pattern), payload)
        for payload, pattern in enumerate(patterns)
        for start in range(len(text))
        if text.startswith(pattern, start)
    }


def test_overlapping_and_nested_patterns_are_all_found():
    # given
    patterns = ["he", "she", "his", "hers", "第一", "全网第一", "网第"]
    automaton = Automaton((pattern, index) for index, pattern in enumerate(patterns))
    # when
    found = set(automaton.find("ushers 全网第一"))
    # then
    assert found == {(1, 4, 1), (2, 4, 0), (2, 6, 3), (8, 10, 6), (7, 11, 5), (9, 11, 4)}


def test_it_agrees_with_a_naive_search_on_random_texts():
    # given
    rng = random.Random(7)
    alphabet = "最佳第一有机治疗ab"
    patterns = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))) for _ in range(40)})
    automaton = Automaton((pattern, index) for index, pattern in enumerate(patterns))
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        # when / then
        assert set(automaton.find(text)) == _naive(patterns, text)


def test_the_term_list_is_compiled_once_per_version():
    assert term_list("v1") is term_list("v1")


def test_normalizing_keeps_offsets():
    assert normalize("ＮＯ．１ 鲜花，１００％") == "NO.1 鲜花,100%"
    assert len(normalize("㎏最佳")) == 3
