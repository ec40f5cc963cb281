"""The hotline form's three steps and their checks, without Flask: each step's fields, the
French error of each field, and the submission they make once all three are valid.

The steps carry the previous steps' answers as hidden fields, so the form needs neither
JavaScript nor server state between steps; the last step checks every field again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from portail.geo import country_name, departement_of_postcode, region_name, regions
from portail.hotline.routing import STEPS, UNKNOWN_STEP, routing
from portail.hotline.service import Submission
from portail.hotline.siren import normalise_siren, siren_problem

MESSAGE_MIN = 20
MESSAGE_MAX = 4000
NAME_MAX = 100
EMAIL = re.compile(r"[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"\+?[\d\s.\-()]{8,20}")
HONEYPOT = "site_internet"  # hidden from people; a robot that fills it is refused


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    fields: tuple[str, ...]


STEPS_OF_FORM = (
    Step(1, "Votre demande", ("sujet", "etape", "pays", "message")),
    Step(2, "Votre entreprise", ("siren", "taille", "secteur", "region", "code_postal")),
    Step(3, "Vous contacter", ("nom", "courriel", "telephone", "consentement")),
)
FIELDS = tuple(name for step in STEPS_OF_FORM for name in step.fields)


@cache
def countries() -> tuple[tuple[str, str], ...]:
    """(ISO alpha-2, French name) of every country, in French alphabetical order."""
    import pycountry

    from webui.content import sort_key

    named = ((c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries)
    return tuple(sorted((c for c in named if c[0] != "FR"), key=lambda c: sort_key(c[1])))


def read_values(form: Mapping[str, str]) -> dict[str, str]:
    """Every field of the form as sent, trimmed (absent ones empty)."""
    values = {name: (form.get(name) or "").strip() for name in FIELDS}
    values["message"] = (form.get("message") or "").strip().replace("\r\n", "\n")
    return values


def step_errors(number: int, values: Mapping[str, str], sectors: Mapping[str, str]) -> dict:
    """The French error of each wrong field of one step ({} when the step is valid)."""
    check = {1: _request_errors, 2: _company_errors, 3: _contact_errors}[number]
    return check(values, sectors)


def first_wrong_step(values: Mapping[str, str], sectors: Mapping[str, str]) -> tuple[int, dict]:
    """The first step with errors and its errors, or (0, {})."""
    for step in STEPS_OF_FORM:
        errors = step_errors(step.number, values, sectors)
        if errors:
            return step.number, errors
    return 0, {}


def _request_errors(values: Mapping[str, str], sectors: Mapping[str, str]) -> dict[str, str]:
    errors = {}
    if values["sujet"] not in routing().subjects:
        errors["sujet"] = "Choisissez l'objet de votre demande."
    if values["etape"] not in (*STEPS, UNKNOWN_STEP):
        errors["etape"] = "Indiquez où vous en êtes, ou « Je ne sais pas »."
    if values["pays"] and values["pays"] not in dict(countries()):
        errors["pays"] = "Choisissez un pays dans la liste, ou « Aucun pays précis »."
    message = values["message"]
    if not message:
        errors["message"] = "Écrivez votre question."
    elif len(message) < MESSAGE_MIN:
        errors["message"] = (
            f"Décrivez votre question en quelques mots de plus ({MESSAGE_MIN} caractères au "
            "moins) : le conseiller vous répondra mieux."
        )
    elif len(message) > MESSAGE_MAX:
        errors["message"] = (
            f"Votre message compte {len(message)} caractères : {MESSAGE_MAX} au plus. "
            "Résumez-le ; le conseiller vous recontactera."
        )
    return errors


def _company_errors(values: Mapping[str, str], sectors: Mapping[str, str]) -> dict[str, str]:
    errors = {}
    if values["siren"]:
        problem = siren_problem(values["siren"])
        if problem:
            errors["siren"] = problem
    if values["taille"] not in routing().sizes:
        errors["taille"] = "Indiquez la taille de votre entreprise."
    if values["secteur"] and values["secteur"] not in sectors:
        errors["secteur"] = "Choisissez un secteur dans la liste, ou « Autre secteur »."
    region, postcode = values["region"], values["code_postal"]
    if region and region not in regions():
        errors["region"] = "Choisissez une région dans la liste."
    if postcode:
        departement = departement_of_postcode(postcode)
        if departement is None:
            errors["code_postal"] = (
                "Le code postal compte 5 chiffres et correspond à un département français "
                "(par exemple 29200)."
            )
        elif region and region in regions() and departement.region != region:
            errors["code_postal"] = (
                f"Le code postal {postcode} est dans la région {region_name(departement.region)}"
                f", pas dans la région {region_name(region)} : corrigez l'un ou l'autre."
            )
    elif not region:
        errors["region"] = "Choisissez votre région, ou indiquez votre code postal."
    return errors


def _contact_errors(values: Mapping[str, str], sectors: Mapping[str, str]) -> dict[str, str]:
    errors = {}
    if not values["nom"]:
        errors["nom"] = "Indiquez votre nom : le conseiller saura à qui il répond."
    elif len(values["nom"]) > NAME_MAX:
        errors["nom"] = f"Votre nom est trop long ({NAME_MAX} caractères au plus)."
    if not values["courriel"]:
        errors["courriel"] = "Indiquez votre adresse électronique : la réponse y sera envoyée."
    elif not EMAIL.fullmatch(values["courriel"]) or len(values["courriel"]) > 254:
        errors["courriel"] = (
            "L'adresse électronique n'est pas valide : elle a la forme nom@domaine.fr."
        )
    phone = values["telephone"]
    if phone and (not PHONE.fullmatch(phone) or sum(c.isdigit() for c in phone) < 9):
        errors["telephone"] = (
            "Le numéro de téléphone n'est pas valide : par exemple 01 23 45 67 89 ou "
            "+33 1 23 45 67 89."
        )
    if values["consentement"] != "oui":
        errors["consentement"] = (
            "Pour que votre demande soit transmise, acceptez que vos coordonnées soient "
            "communiquées au conseiller qui vous répondra."
        )
    return errors


def submission(values: Mapping[str, str]) -> Submission:
    """The request of a valid form (the region from the postcode when it was not chosen)."""
    region = values["region"]
    if not region:
        departement = departement_of_postcode(values["code_postal"])
        region = departement.region if departement else ""
    return Submission(
        subject=values["sujet"],
        step=values["etape"],
        country=values["pays"],
        message=values["message"],
        siren=normalise_siren(values["siren"]),
        size=values["taille"],
        sector=values["secteur"],
        region=region,
        postcode=values["code_postal"].replace(" ", ""),
        name=" ".join(values["nom"].split()),
        email=values["courriel"],
        phone=values["telephone"],
    )
