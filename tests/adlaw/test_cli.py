"""`xinren adlaw check`: one text per line in, one JSON object per line out."""

import io
import json

from xinren.adlaw import TERMS_VERSION
from xinren.adlaw.cli import main
from xinren.cli import main as xinren_main


def test_one_json_line_per_input_line():
    # given
    stdin, stdout = io.StringIO("治疗高血压 最好的\n雨季清晨采摘\n有机茶\n"), io.StringIO()
    # when
    code = main(["check", "--category", "tea"], stdin=stdin, stdout=stdout)
    # then
    lines = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert code == 0 and len(lines) == 3
    assert lines[0]["terms_version"] == TERMS_VERSION and lines[0]["blocked"] is True
    assert [(f["rule_id"], f["article"], f["start"], f["end"], f["span"]) for f in lines[0]["findings"]] == [
        ("disease.claim", "17", 0, 2, "治疗"),
        ("abs.superlative", "9(3)", 6, 8, "最好"),
    ]
    assert set(lines[0]["findings"][0]) == {
        "rule_id",
        "article",
        "severity",
        "start",
        "end",
        "span",
        "message",
        "suggestion",
    }
    assert lines[1] == {"terms_version": TERMS_VERSION, "blocked": False, "findings": []}
    assert [(f["rule_id"], f["severity"]) for f in lines[2]["findings"]] == [("cert.organic", "warn")]


def test_verified_credentials_are_passed_on_the_command_line():
    # when
    stdout = io.StringIO()
    main(["check", "--credential", "geo_indication"], stdin=io.StringIO("有机茶\n地理标志产品\n"), stdout=stdout)
    # then
    lines = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [(f["rule_id"], f["severity"]) for f in lines[0]["findings"]] == [("cert.organic", "block")]
    assert lines[1]["findings"] == []


def test_the_xinren_dispatcher_runs_it(monkeypatch, capsys):
    # given
    monkeypatch.setattr("sys.stdin", io.StringIO("送礼首选\n"))
    # when
    code = xinren_main(["adlaw", "check"])
    # then
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["findings"][0]["rule_id"] == "abs.preferred"
