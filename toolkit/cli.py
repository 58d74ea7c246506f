"""The `persona-toolkit` command line: one command per admin job, each with its own --help."""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from toolkit import create_app, instance_path
from toolkit.core.intake import ImportProblem, parse_responses, read_table
from toolkit.core.questionnaire import (
    QuestionnaireError,
    available_questionnaires,
    get_questionnaire,
    load_questionnaire,
    questionnaire_as_dict,
)
from toolkit.data import store
from toolkit.data.db import DatabaseUnavailable, connect
from toolkit.data.migrations import migrate


def _cli_app(*_args, **_kwargs):
    """Commands need no session secret; only `serve` insists on a real one."""
    try:
        return create_app()
    except RuntimeError:
        app = create_app({"SECRET_KEY": secrets.token_hex(32)})
        app.config["CLI_EPHEMERAL_SECRET"] = True
        return app


@click.group(cls=FlaskGroup, create_app=_cli_app, add_default_commands=False, add_version_option=False)
def main():
    """Persona Toolkit: questionnaire rounds, internal personas and Word briefs.

    Every command works on the instance folder named by PERSONA_TOOLKIT_INSTANCE
    (default: instance/ in the checkout).
    """


def db():
    try:
        return connect(current_app.config["DATABASE"])
    except DatabaseUnavailable as exc:
        raise click.ClickException(str(exc)) from exc


def _round(database, round_id):
    try:
        return store.get_round(database, round_id)
    except store.NotFound as exc:
        raise click.ClickException(str(exc)) from exc


def ensure_instance(folder: Path) -> None:
    """Create the instance folder and a config.py with a fresh secret key, once."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.py"
    if not config.exists():
        config.write_text(
            "# Persona Toolkit settings for this instance. See README.md for every setting.\n"
            f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
            "PUBLIC_BASE_URL = 'http://127.0.0.1:5000'\n"
            "MAIL_SERVER = 'localhost'\nMAIL_PORT = 25\nMAIL_USE_TLS = False\nMAIL_USE_SSL = False\n"
            "MAIL_USERNAME = None\nMAIL_PASSWORD = None\n"
            "MAIL_DEFAULT_SENDER = 'persona-toolkit@localhost'\n",
            encoding="utf-8",
        )
        config.chmod(0o600)


def init_database() -> list[str]:
    ensure_instance(Path(current_app.instance_path))
    database = db()
    try:
        return migrate(database)
    finally:
        database.conn.close()


@main.command("init-db")
@with_appcontext
def init_db_command():
    """Create the instance folder and database, or bring its schema up to date."""
    ran = init_database()
    click.echo(f"Database {current_app.config['DATABASE']}: " + (f"applied {', '.join(ran)}" if ran else "up to date"))


# --- questionnaires -------------------------------------------------------------------


@main.group()
def questionnaire():
    """List, validate and show questionnaire definitions (questionnaires/*.toml)."""


@questionnaire.command("list")
def questionnaire_list():
    """List the questionnaires that rounds can use."""
    for qid, path in available_questionnaires().items():
        try:
            q = load_questionnaire(path)
            click.echo(f"{qid}\tv{q.version}\t{len(q.items)} items\t{q.title.get('en', '')}")
        except QuestionnaireError as exc:
            click.echo(f"{qid}\tINVALID ({len(exc.problems)} problems)\t{path}")


@questionnaire.command("validate")
@click.argument("path", type=click.Path(dir_okay=False))
def questionnaire_validate(path):
    """Check a questionnaire file and list every problem in it."""
    try:
        q = load_questionnaire(path)
    except QuestionnaireError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{path}: valid ({len(q.items)} items, {len(q.constructs)} constructs)")


@questionnaire.command("show")
@click.argument("qid")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
def questionnaire_show(qid, fmt):
    """Show a questionnaire's items, constructs and scales."""
    try:
        q = get_questionnaire(qid)
    except (LookupError, QuestionnaireError) as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(questionnaire_as_dict(q), ensure_ascii=False, indent=2))
        return
    for block in q.blocks:
        click.echo(f"[{block.id}] {block.title.get('en', '')}")
        for iid in block.items:
            item = q.items[iid]
            flag = " (reverse)" if item.reverse else ""
            click.echo(f"  {iid:<16} {item.type:<7} {item.construct or '':<22}{item.text.get('en', '')}{flag}")


# --- rounds and responses -------------------------------------------------------------


@main.group("round")
def round_group():
    """Create and list questionnaire rounds."""


@round_group.command("create")
@click.option("--questionnaire", "qid", required=True, help="Questionnaire id (see 'questionnaire list').")
@click.option("--title", required=True)
@click.option("--anonymous/--identified", default=True, show_default=True,
              help="Anonymous rounds keep no link between participant and answers.")
@click.option("--language", type=click.Choice(["nl", "en", "participant"]), default="nl", show_default=True)
@click.option("--min-group", type=click.IntRange(min=5), default=5, show_default=True)
@with_appcontext
def round_create(qid, title, anonymous, language, min_group):
    """Create a round; prints the new round's id alone on stdout."""
    try:
        q = get_questionnaire(qid)
        round_id = store.create_round(db(), q, title, mode="anonymous" if anonymous else "identified",
                                      language=language, min_group=min_group)
    except (LookupError, QuestionnaireError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(round_id)


@round_group.command("list")
@with_appcontext
def round_list():
    """List rounds with their status and number of responses."""
    for r in store.list_rounds(db()):
        click.echo(f"{r['id']}\t{r['status']}\t{r['mode']}\t{r['responses']} responses\t{r['title']}")


@main.group()
def responses():
    """Import answers collected elsewhere (CSV or XLSX)."""


@responses.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--round", "round_id", type=int, required=True)
@with_appcontext
def responses_import(file, round_id):
    """Import one row per respondent, columns named by item id; all rows or none."""
    database = db()
    round_ = _round(database, round_id)
    q = store.round_questionnaire(database, round_)
    try:
        parsed = parse_responses(q, read_table(Path(file).read_bytes(), file))
        count = store.import_responses(database, round_, q, parsed)
    except (ImportProblem, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Imported {count} responses into round {round_id}.")


# --- personas and briefs --------------------------------------------------------------


@main.group()
def personas():
    """Derive personas from a round's answers and export them."""


@personas.command("derive")
@click.option("--round", "round_id", type=int, required=True)
@click.option("--k", type=click.IntRange(1, 6), default=None, help="Force this number of personas (1-6).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--bootstrap", type=click.IntRange(0, 1000), default=100, show_default=True,
              help="Resamples for the stability check.")
@with_appcontext
def personas_derive(round_id, k, seed, bootstrap):
    """Cluster the round's motivation and readiness scores into personas and store them."""
    from toolkit.services.pipeline import derive_round

    database = db()
    _round(database, round_id)
    try:
        set_id = derive_round(database, round_id, k=k, seed=seed, bootstrap=bootstrap)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    persona_set = store.load_persona_set(database, set_id)
    if persona_set.get("no_distinct_personas"):
        click.echo(f"Round {round_id}: no distinct personas in this round (one overall profile).")
    else:
        click.echo(f"Round {round_id}: {persona_set['k']} personas (set {set_id}).")
    for p in persona_set["personas"]:
        stability = "not assessed" if p.get("stability") is None else f"{p['stability']:.2f}"
        click.echo(f"  {p['name']}: {p['size']} people, stability {stability} — {p['label'].get('en', '')}")


@personas.command("export")
@click.option("--round", "round_id", type=int, required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@with_appcontext
def personas_export(round_id, fmt):
    """Print the round's current personas (json) or each response's persona (csv)."""
    database = db()
    round_ = _round(database, round_id)
    persona_set = store.current_persona_set(database, round_id, members=True)
    if persona_set is None:
        raise click.ClickException(f"round {round_id} has no personas yet: run 'persona-toolkit personas derive --round {round_id}'")
    from toolkit.core.privacy import exportable_persona_set

    persona_set = exportable_persona_set(persona_set, round_["min_group"])
    if fmt == "csv":
        external = dict(database.execute("SELECT id, coalesce(external_id, id) FROM responses WHERE round_id = ?", [round_id]).fetchall())
        click.echo("respondent_id,persona")
        rows = sorted((external[rid], p["name"]) for p in persona_set["personas"] for rid in p["members"])
        for respondent, name in rows:
            click.echo(f"{respondent},{name}")
        return
    for p in persona_set["personas"]:
        p.pop("members", None)
    click.echo(json.dumps(persona_set, ensure_ascii=False, indent=2, sort_keys=True))


@main.group()
def briefs():
    """Write Word briefs for change managers and trainers."""


@briefs.command("make")
@click.option("--round", "round_id", type=int, required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True)
@click.option("--lang", type=click.Choice(["nl", "en"]), multiple=True, help="Default: both.")
@with_appcontext
def briefs_make(round_id, out_dir, lang):
    """Write a communication and a training brief per persona and an overview brief."""
    from toolkit.services.pipeline import briefs_for_round

    database = db()
    _round(database, round_id)
    try:
        paths = briefs_for_round(database, round_id, Path(out_dir), langs=lang or ("nl", "en"))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in paths:
        click.echo(path)


# --- users ----------------------------------------------------------------------------


@main.group()
def users():
    """Manage accounts and roles (admin, hr, change_manager, trainer)."""


ROLE_CHOICE = click.Choice(["admin", "hr", "change_manager", "trainer"])


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=ROLE_CHOICE, required=True)
@click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@click.option("--password", default=None, help="Default: a random password, printed once.")
@with_appcontext
def users_create(email, name, role, language, password):
    """Create an account; prints the password when it was generated."""
    from toolkit.data.accounts import create_user

    generated = password is None
    password = password or secrets.token_urlsafe(12)
    database = db()
    try:
        user_id = create_user(database, email=email, name=name, role=role, password=password, language=language)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    store.audit(database, None, "create", f"user {user_id}", f"{role} (command line)")
    click.echo(f"Created {role} {email}" + (f" with password {password}" if generated else ""))


@users.command("list")
@with_appcontext
def users_list():
    """List accounts with their role."""
    for u in db().query("SELECT id, email, name, role, active FROM users ORDER BY id"):
        click.echo(f"{u['id']}\t{u['email']}\t{u['role']}\t{'active' if u['active'] else 'disabled'}\t{u['name']}")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
@with_appcontext
def users_set_role(email, role):
    """Change the role of an account (the last active admin keeps the admin role)."""
    from toolkit.data.accounts import get_user_by_email, set_role

    database = db()
    user = get_user_by_email(database, email)
    if user is None:
        raise click.ClickException(f"no account with e-mail {email}")
    try:
        set_role(database, user["id"], role)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    store.audit(database, None, "edit", f"user {user['id']}", f"role {user['role']} -> {role} (command line)")
    click.echo(f"{user['email']} is now {role}")


@users.command("reset-password")
@click.argument("email")
@click.option("--password", default=None, help="Default: a random password, printed once.")
@with_appcontext
def users_reset_password(email, password):
    """Set a new password for an account."""
    from toolkit.data.accounts import get_user_by_email, set_password

    database = db()
    password_ = password or secrets.token_urlsafe(12)
    user = get_user_by_email(database, email)
    if user is None:
        raise click.ClickException(f"no account with e-mail {email}")
    try:
        set_password(database, user["email"], password_)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    store.audit(database, None, "edit", f"user {user['id']}", "password reset (command line)")
    click.echo(f"New password for {user['email']}" + (f": {password_}" if password is None else " set"))


# --- demo and serving -----------------------------------------------------------------


@main.command()
@click.option("--respondents", type=click.IntRange(20, 20000), default=240, show_default=True)
@click.option("--briefs-dir", type=click.Path(file_okay=False), default=None,
              help="Where to write the demo briefs (default: INSTANCE/briefs).")
@with_appcontext
def demo(respondents, briefs_dir):
    """Fill the instance with demo users, a round of synthetic answers, personas and briefs."""
    from toolkit.services.demo import build_demo

    init_database()
    out = Path(briefs_dir) if briefs_dir else Path(current_app.instance_path) / "briefs"
    summary = build_demo(db(), respondents=respondents, briefs_dir=out)
    click.echo(summary)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: one per CPU, at least 2).")
@click.option("--threads", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Threads per worker process.")
@with_appcontext
def serve(host, port, workers, threads):
    """Serve the web app with gunicorn (a production WSGI server), one process per CPU."""
    if current_app.config.get("CLI_EPHEMERAL_SECRET"):
        raise click.ClickException(
            f"SECRET_KEY is not set in {current_app.instance_path}/config.py: run 'persona-toolkit init-db' first"
        )
    from toolkit import create_app
    from toolkit.services.health import refuse_unhealthy_start
    from toolkit.web import server

    init_database()
    refuse_unhealthy_start()  # damaged, read-only or full: say so before taking answers
    workers = workers or server.default_workers()
    click.echo(f"Serving Persona Toolkit on http://{host}:{port} ({workers} worker process{'es' if workers > 1 else ''}"
               f" x {threads} thread{'s' if threads > 1 else ''}); Ctrl+C stops.")
    sys.stdout.flush()
    server.run(create_app, host, port, workers, threads)


# Areas that bring their own commands register them here: each module has register(main).
EXTENSIONS = ("toolkit.jobs.scheduler", "toolkit.services.participants", "toolkit.services.maintenance", "toolkit.services.programmes", "toolkit.services.health")


def _register_extensions() -> None:
    import importlib

    for name in EXTENSIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(main)


_register_extensions()

__all__ = ["main", "instance_path"]
