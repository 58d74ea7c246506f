"""The README chain, command by command, on a CSV written here; and --help for every command."""

import json

import click
from docx import Document

from toolkit.cli import main


def test_init_db_is_idempotent(cli, instance):
    assert "applied m001_initial" in cli("init-db").output
    assert "up to date" in cli("init-db").output
    assert (instance / "config.py").exists() and "SECRET_KEY" in (instance / "config.py").read_text()


def test_round_create_prints_only_the_id(cli):
    cli("init-db")
    output = cli("round", "create", "--questionnaire", "default", "--title", "Pilot").output
    assert output.strip().isdigit()
    assert cli("round", "create", "--questionnaire", "default", "--title", "Second").output.strip() == str(int(output) + 1)


def test_round_create_refuses_unknown_questionnaire(cli):
    cli("init-db")
    result = cli("round", "create", "--questionnaire", "nope", "--title", "x", expect_ok=False)
    assert result.exit_code == 1 and "unknown questionnaire 'nope'" in result.output


def test_the_whole_chain(cli, answers_csv, tmp_path):
    cli("init-db")
    round_id = cli("round", "create", "--questionnaire", "default", "--title", "Chain").output.strip()
    assert "Imported 120 responses" in cli("responses", "import", answers_csv, "--round", round_id).output

    derived = cli("personas", "derive", "--round", round_id, "--seed", "3", "--bootstrap", "20").output
    assert f"Round {round_id}:" in derived

    exported = json.loads(cli("personas", "export", "--round", round_id, "--format", "json").output)
    assert exported["n_respondents"] == 120
    assert exported["k"] >= 1 and exported["personas"]
    for persona in exported["personas"]:
        assert persona["size"] >= 5 and persona["name"] and persona["label"]["nl"] and persona["label"]["en"]
        assert "members" not in persona  # respondent ids only in the csv export

    rows = cli("personas", "export", "--round", round_id, "--format", "csv").output.strip().splitlines()
    assert rows[0] == "respondent_id,persona"
    names = {p["name"] for p in exported["personas"]}
    assert {r.split(",")[1] for r in rows[1:]} <= names
    assert len(rows) - 1 == sum(p["size"] for p in exported["personas"])

    out = tmp_path / "briefs"
    written = cli("briefs", "make", "--round", round_id, "--out", out, "--lang", "en").output.split()
    assert written and all(path.endswith(".docx") for path in written)
    text = "\n".join(p.text for p in Document(written[-1]).paragraphs)
    assert text.strip()
    comm = [p for p in written if "communication" in p]
    presented = [p for p in exported["personas"] if p["presented"]]
    assert len(comm) == len(presented)
    comm_texts = ["\n".join(par.text for par in Document(path).paragraphs) for path in comm]
    for persona in presented:
        assert any(persona["name"] in text for text in comm_texts), persona["name"]


def test_derive_refuses_round_without_answers(cli):
    cli("init-db")
    round_id = cli("round", "create", "--questionnaire", "default", "--title", "Empty").output.strip()
    result = cli("personas", "derive", "--round", round_id, expect_ok=False)
    assert result.exit_code == 1 and "0 responses" in result.output


def test_unknown_round_is_a_clear_error(cli):
    cli("init-db")
    result = cli("personas", "export", "--round", "99", expect_ok=False)
    assert "round 99 does not exist" in result.output


def _walk(group, path=()):
    for name, command in group.commands.items():
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _walk(command, (*path, name))


def test_every_command_has_help(cli):
    commands = list(_walk(main))
    assert len(commands) >= 20
    for path, command in commands:
        assert (command.help or "").strip(), f"persona-toolkit {' '.join(path)} has no help text"
        result = cli(*path, "--help")
        assert "Usage:" in result.output and command.help.split("\n")[0].strip()[:30] in " ".join(result.output.split())


def test_derive_without_bootstrap_says_stability_was_not_assessed(cli, answers_csv):
    cli("init-db")
    round_id = cli("round", "create", "--questionnaire", "default", "--title", "Quick").output.strip()
    cli("responses", "import", answers_csv, "--round", round_id)
    output = cli("personas", "derive", "--round", round_id, "--bootstrap", "0").output
    assert "stability not assessed" in output


def test_commands_also_work_through_flask_app_cli(app):
    """`flask --app toolkit COMMAND` reaches the same commands as `persona-toolkit COMMAND`."""
    assert {"init-db", "personas", "briefs", "round", "users"} <= set(app.cli.commands)
    result = app.test_cli_runner().invoke(args=["questionnaire", "list"])
    assert result.exit_code == 0 and "default" in result.output
