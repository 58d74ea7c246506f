"""`persona-toolkit users`: accounts and roles."""

from __future__ import annotations

import secrets

import click
from flask.cli import with_appcontext

from toolkit.cli.common import open_db
from toolkit.data.accounts import ROLES, create_user, get_user_by_email, set_password, set_role
from toolkit.data.audit import audit


@click.group()
def users():
    """Manage accounts and roles (admin, hr, change_manager, trainer)."""


ROLE_CHOICE = click.Choice(ROLES)


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=ROLE_CHOICE, required=True)
@click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@click.option("--password", default=None, help="Default: a random password, printed once.")
@with_appcontext
def users_create(email, name, role, language, password):
    """Create an account; prints the password when it was generated."""
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    database = open_db()
    try:
        user_id = create_user(database, email=email, name=name, role=role, password=password, language=language)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    audit(database, None, "create", f"user {user_id}", f"{role} (command line)")
    click.echo(f"Created {role} {email}" + (f" with password {password}" if generated else ""))


@users.command("list")
@with_appcontext
def users_list():
    """List accounts with their role."""
    for u in open_db().query("SELECT id, email, name, role, active FROM users ORDER BY id"):
        click.echo(f"{u['id']}\t{u['email']}\t{u['role']}\t{'active' if u['active'] else 'disabled'}\t{u['name']}")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
@with_appcontext
def users_set_role(email, role):
    """Change the role of an account (the last active admin keeps the admin role)."""
    database = open_db()
    user = get_user_by_email(database, email)
    if user is None:
        raise click.ClickException(f"no account with e-mail {email}")
    try:
        set_role(database, user["id"], role)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    audit(database, None, "edit", f"user {user['id']}", f"role {user['role']} -> {role} (command line)")
    click.echo(f"{user['email']} is now {role}")


@users.command("reset-password")
@click.argument("email")
@click.option("--password", default=None, help="Default: a random password, printed once.")
@with_appcontext
def users_reset_password(email, password):
    """Set a new password for an account."""
    database = open_db()
    password_ = password or secrets.token_urlsafe(12)
    user = get_user_by_email(database, email)
    if user is None:
        raise click.ClickException(f"no account with e-mail {email}")
    try:
        set_password(database, user["email"], password_)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    audit(database, None, "edit", f"user {user['id']}", "password reset (command line)")
    click.echo(f"New password for {user['email']}" + (f": {password_}" if password is None else " set"))


COMMANDS = (users,)
