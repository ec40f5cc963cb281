"""`portail admin …`: the maintainers' console from the command line (wired into `portail_cli.main`
with `main.add_command(admin)`)."""

from __future__ import annotations

import sys

import click


@click.group(help="Console des mainteneurs (/admin).")
def admin() -> None:
    pass


@admin.command(
    "set-password", help="Définit le mot de passe de la console /admin (demandé deux fois)."
)
def set_password() -> None:
    from portail.credentials import CredentialsError, set_admin_password
    from portail.paths import data_dir

    password = click.prompt(
        "Mot de passe de la console",
        hide_input=True,
        confirmation_prompt="Confirmez le mot de passe",
    )
    try:
        path = set_admin_password(data_dir(), password)
    except CredentialsError as exc:
        click.echo(f"Mot de passe refusé : {exc}.", err=True)
        sys.exit(2)
    click.echo(
        f"Mot de passe de la console enregistré (empreinte scrypt) dans {path}, "
        "lisible par vous seul ; les sessions ouvertes sous l'ancien sont closes."
    )
