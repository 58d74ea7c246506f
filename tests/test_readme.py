"""The README's command-line chain, run line by line as written (serve excepted)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_chain(heading: str = "## The chain on the command line") -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(heading):]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if "persona-toolkit" in line.split("#")[0]]


def test_readme_chain_runs_as_written(cli, tmp_path, answers_csv, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "answers.csv").write_bytes(answers_csv.read_bytes())
    lines = readme_chain()
    assert len(lines) >= 9
    variables: dict[str, str] = {}
    ran = []
    for line in lines:
        target = None
        if match := re.fullmatch(r"(\w+)=\$\((.*)\)", line):
            target, line = match.groups()
        words = shlex.split(line.replace("$ROUND", variables.get("ROUND", "")))
        assert words[0] == "persona-toolkit", line
        if words[1] == "serve":
            continue  # serving is covered by tests/reliability and the browser tests
        result = cli(*words[1:])
        if target:
            variables[target] = result.output.strip()
        ran.append(words[1])
    assert variables["ROUND"].isdigit()
    assert {"init-db", "responses", "personas", "briefs", "users"} <= set(ran)
    assert list((tmp_path / "briefs").glob("*.docx"))


def test_bring_your_own_questionnaire_runs_as_written(cli, database, monkeypatch):
    import json

    monkeypatch.chdir(README.parent)  # the example files are named relative to the checkout
    lines = readme_chain("## Bring your own questionnaire")
    variables: dict[str, str] = {}
    outputs = []
    for line in lines:
        target = None
        if match := re.fullmatch(r"(\w+)=\$\((.*)\)", line):
            target, line = match.groups()
        words = shlex.split(re.sub(r"\$(\w+)", lambda m: variables.get(m.group(1), m.group(0)), line))
        result = cli(*words[1:])
        if target:
            variables[target] = result.output.strip()
        outputs.append(result.output)
    assert "outcomes: reason_manager (yes_no), reason_pay (yes_no), separation (categorical)" in outputs[0]
    assert "exit-survey\tv1.0\t18 items\town" in outputs[2]
    persona_set = json.loads(outputs[-1])
    manager = [next(o for o in p["description"]["outcomes"] if o["variable"] == "reason_manager")
               for p in persona_set["personas"]]
    top = max(manager, key=lambda o: o["categories"][0]["share"])
    assert 0.35 <= top["categories"][0]["share"] <= 0.45 and top["categories"][0]["rest_share"] <= 0.06
    assert top["effect"]["magnitude"] == "medium"
    assert "retired" not in outputs[-1]
    assert "A possible split" in outputs[-2]
