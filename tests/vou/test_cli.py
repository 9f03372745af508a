"""`xinren vou classify` and `xinren vou train`."""

import csv
import io
import json

import pytest

from xinren.cli import main as xinren_main
from xinren.vou import classify as vou
from xinren.vou.cli import main
from xinren.vou.dataset import OWN_CSV


def test_classify_writes_one_json_line_per_input_line():
    # given
    stdin, stdout = io.StringIO("菌子全发霉了\n\n很好吃，下次还买\n"), io.StringIO()
    # when
    code = main(["classify", "--category", "wild_mushroom"], stdin=stdin, stdout=stdout)
    # then
    lines = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert code == 0 and len(lines) == 3
    assert lines[0]["sentiment"] == "negative" and lines[0]["types"] == ["spoiled"]
    assert lines[0]["evidence"] == {"spoiled": ["发霉"]}
    assert lines[1] == {"sentiment": "positive", "score": 0.5, "types": [], "evidence": {}}
    assert lines[2]["sentiment"] == "positive" and lines[2]["types"] == []


@pytest.fixture
def small_export(tmp_path):
    """Every fourth row of the project's own set: enough to train on in a second."""
    with open(OWN_CSV, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[::4]
    path = tmp_path / "export.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "sentiment", "types", "category"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_train_prints_the_held_out_measures_and_the_version_then_the_model_is_used(
    small_export, tmp_path, capsys, monkeypatch
):
    # given
    out = tmp_path / "model.pkl"
    # when
    code = xinren_main(["vou", "train", "--csv", str(small_export), "--out", str(out), "--without-snownlp"])
    # then
    printed = capsys.readouterr().out
    assert code == 0 and out.exists()
    assert "sentiment accuracy: " in printed and "types micro-F1: " in printed
    assert all(f"\n{kind} " in printed for kind in ("damaged", "refund_friction", "other"))
    version = next(line for line in printed.splitlines() if line.startswith("model version: ")).split(": ")[1]
    assert version.startswith("vou-1+lex-1+custom-") and version != vou.MODEL_VERSION
    # when the operator configures it
    monkeypatch.setenv("XINREN_VOU_MODEL", str(out))
    vou.reset()
    try:
        result = vou.classify("盒子压坏了", category="baked_goods")
    finally:
        monkeypatch.delenv("XINREN_VOU_MODEL")
        vou.reset()
    # then
    assert result.model_version == version


def test_train_refuses_an_export_with_an_unknown_type(tmp_path, capsys):
    # given
    path = tmp_path / "export.csv"
    path.write_text("text,sentiment,types\n坏了,negative,broken\n", encoding="utf-8")
    # when
    code = main(["train", "--csv", str(path), "--out", str(tmp_path / "m.pkl")])
    # then
    assert code == 2 and "unknown type ids ['broken']" in capsys.readouterr().err
    assert not (tmp_path / "m.pkl").exists()
