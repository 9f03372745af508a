"""Model files: written atomically, read back equal, and nothing but a model is accepted."""

import pickle

import pytest

from xinren.vou import model as trained
from xinren.vou.classify import TYPES, Classifier
from xinren.vou.dataset import Example

ROWS = [
    Example("盒子压坏了", "negative", ("damaged",), "baked_goods"),
    Example("饼碎成渣了", "negative", ("damaged",), "baked_goods"),
    Example("客服态度很差", "negative", ("rude_service",), "tea"),
    Example("客服不理人", "negative", ("rude_service",), "tea"),
    Example("很好吃，下次还买", "positive", (), "baked_goods"),
    Example("非常新鲜，推荐", "positive", (), "fruit"),
]


def test_a_saved_model_reads_back_and_classifies_the_same(tmp_path):
    # given
    model = trained.train(ROWS, types=TYPES, version="test-1")
    path = tmp_path / "models" / "m.pkl"
    # when
    trained.save(model, path)
    loaded = trained.load(path)
    # then
    texts = ["盒子压坏了，客服不理人", "很好吃"]
    assert loaded.version == "test-1" and loaded.trained_on == {"own": 6, "extra": 0}
    assert Classifier(loaded).classify_many(texts) == Classifier(model).classify_many(texts)
    assert [p.name for p in path.parent.iterdir()] == ["m.pkl"]  # no temporary file left behind


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    # given
    path = tmp_path / "other.pkl"
    path.write_bytes(pickle.dumps({"not": "a model"}))
    # when / then
    with pytest.raises(ValueError, match="is not a voice-of-the-user model"):
        trained.load(path)


def test_the_type_model_explains_itself_with_readable_n_grams():
    # given
    model = trained.train(ROWS, types=TYPES, version="test-1")
    # when
    grams = model.types.evidence("盒子被压坏了！", "damaged")
    # then
    assert grams and all(g.isalnum() and 2 <= len(g) <= 3 for g in grams)
