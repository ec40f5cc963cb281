"""The hotline's mails, in French: each one an outbox row (`kind`, recipient, subject, body,
and a Message-ID drawn once, so that every attempt to send it carries the same one)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from portail.geo import country_name, region_name

MESSAGE_DOMAIN = "hotline.france-international"
SIGNATURE = "--\nFrance International, le portail de l'export\nHotline de l'export"


def message_id() -> str:
    return f"<{uuid.uuid4().hex}@{MESSAGE_DOMAIN}>"


def mail(kind: str, subject: str, body: str, desk: str = "", address: str = "") -> dict[str, Any]:
    """An outbox row to a desk (its address is read from the settings when sent) or to an
    address."""
    return {
        "kind": kind,
        "to_desk": desk,
        "to_address": address,
        "subject": subject,
        "body": body.rstrip() + "\n\n" + SIGNATURE + "\n",
        "message_id": message_id(),
    }


def summary(request: Mapping[str, Any], labels: Mapping[str, Mapping[str, str]]) -> str:
    """The request as an adviser reads it: what, who, where."""
    lines = [
        f"Objet : {labels['subject'].get(request['subject'], request['subject'])}",
        f"Étape du parcours : {labels['step'].get(request['step'], request['step'] or '—')}",
        f"Pays visé : {country_name(request['country']) if request['country'] else '—'}",
        f"Région de l'entreprise : {region_name(request['region'])}"
        + (f" (code postal {request['postcode']})" if request.get("postcode") else ""),
        f"Taille : {labels['size'].get(request['size'], '—')}",
        f"Secteur : {labels['sector'].get(request['sector'], '—')}",
        f"SIREN : {request['siren'] or '—'}",
        "",
        "Message :",
        request["message"],
        "",
        f"Contact : {request['name']}",
        f"Courriel : {request['email']}",
        f"Téléphone : {request['phone'] or '—'}",
    ]
    return "\n".join(lines)


def receipt(
    reference: str, request: Mapping[str, Any], desk_name: str, because: str, follow_url: str
) -> dict[str, Any]:
    body = f"""Bonjour,

Nous avons bien reçu votre demande {reference}.

Elle est transmise à {desk_name}, parce que {because}.
Un conseiller vous répond en principe sous trois jours ouvrés.

Suivez son état à tout moment à cette adresse personnelle (ne la partagez pas) :
{follow_url}

Vous pouvez aussi y demander l'effacement de vos données."""
    return mail(
        "receipt", f"Votre demande {reference} est bien reçue", body, address=request["email"]
    )


def to_desk(
    reference: str,
    request: Mapping[str, Any],
    labels: Mapping[str, Mapping[str, str]],
    desk: str,
    why: str,
) -> dict[str, Any]:
    body = f"""Bonjour,

La hotline de l'export vous transmet la demande {reference} : {why}.
Merci d'y répondre au demandeur, puis de l'indiquer dans la console (demande {reference}) ;
si elle ne relève pas de vous, choisissez « Pas pour moi » : elle repart vers l'équipe
nationale d'orientation.

{summary(request, labels)}"""
    return mail("desk", f"Hotline de l'export : demande {reference}", body, desk=desk)


def reminder(reference: str, desk: str, days: int) -> dict[str, Any]:
    body = f"""Bonjour,

La demande {reference} vous a été transmise il y a {days} jours ouvrés et attend une réponse.
Merci d'y répondre, ou de la renvoyer (« Pas pour moi ») si elle ne relève pas de vous."""
    return mail("reminder", f"Relance : demande {reference} sans réponse", body, desk=desk)


def escalation(
    reference: str, desk_name: str, days: int, national: str, reminded: bool
) -> dict[str, Any]:
    """The national desk is told; « malgré une relance » only when the desk was reminded."""
    despite = " malgré une relance" if reminded else ""
    body = f"""Bonjour,

La demande {reference}, transmise à {desk_name}, est sans réponse depuis {days} jours
ouvrés{despite}. Merci de la reprendre ou de la confier à un autre interlocuteur."""
    return mail("escalation", f"Escalade : demande {reference} sans réponse", body, desk=national)


def answer(reference: str, address: str, text: str) -> dict[str, Any]:
    body = f"""Bonjour,

Voici la réponse à votre demande {reference} :

{text}

Vous pouvez suivre votre demande avec le lien personnel reçu dans l'accusé de réception."""
    return mail("answer", f"Réponse à votre demande {reference}", body, address=address)
