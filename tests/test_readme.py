"""The README's command-line chain, run line by line as written (serve excepted)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_chain() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The chain on the command line"):]
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
