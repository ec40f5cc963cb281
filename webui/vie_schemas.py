"""The OpenAPI description of the V.I.E. board's JSON twins (/vie.json,
/vie/entreprises/<id>.json), merged into /api/openapi.json by webui/api.py."""

from __future__ import annotations

from typing import Any

from indexer.search import MAX_PAGE
from webui.board import CLOSING_SOON, FILTERS, NEW_DAYS, SORTS
from webui.openapi_parts import country_codes
from webui.openapi_parts import query_param as query

STRING = {"type": "string"}
NULLABLE = {"type": "string", "nullable": True}
URI = {"type": "string", "format": "uri"}
LINK = {"type": "string", "format": "uri", "nullable": True}
DAY = {"type": "string", "format": "date", "nullable": True}
COUNT = {"type": "integer", "minimum": 0}


def closed(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    """A closed object whose every property is required."""
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }
    if description:
        schema["description"] = description
    return schema


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref(name)}}}


SCHEMAS: dict[str, Any] = {
    "VieOffer": closed(
        {
            "reference": {**NULLABLE, "description": "Référence de l'offre sur son site."},
            "title": STRING,
            "url": {**URI, "description": "Page d'origine de l'offre, où l'on candidate."},
            "mission": {"type": "string", "enum": ["V.I.E.", "V.I.A."]},
            "company": {**NULLABLE, "description": "Entreprise ou organisme d'accueil."},
            "company_page": {**LINK, "description": "Ses offres sur le portail."},
            "country": {**NULLABLE, "pattern": "^[A-Z]{2}$", "description": "Code ISO 3166-1."},
            "country_name": NULLABLE,
            "city": NULLABLE,
            "zone": {**closed({"id": STRING, "label": STRING}), "nullable": True},
            "sectors": {"type": "array", "items": closed({"id": STRING, "label": STRING})},
            "months": {"type": "integer", "minimum": 1, "nullable": True},
            "start": {**DAY, "description": "Début de la mission."},
            "posted": {**DAY, "description": "Date de publication."},
            "deadline": {**DAY, "description": "Date limite de candidature (incluse)."},
            "days_left": {
                "type": "integer",
                "minimum": 0,
                "nullable": True,
                "description": "Jours avant la date limite (0 : elle tombe aujourd'hui).",
            },
            "closing_soon": {
                "type": "boolean",
                "description": f"Vrai quand la date limite tombe dans {CLOSING_SOON} jours au "
                "plus (la page affiche « Clôture dans N jours »).",
            },
            "new": {
                "type": "boolean",
                "description": f"Vrai pour une offre publiée depuis moins de {NEW_DAYS} jours "
                "(la page affiche « Nouvelle »).",
            },
            "telework": {
                "type": "boolean",
                "nullable": True,
                "description": "Télétravail partiel possible (null : l'offre n'en dit rien).",
            },
            "provider": {**STRING, "description": "L'organisme qui publie l'offre."},
        }
    ),
    "VieBoard": closed(
        {
            "today": {"type": "string", "format": "date"},
            "total": {**COUNT, "description": "Offres ouvertes qui passent les filtres."},
            "open": {**COUNT, "description": "Offres ouvertes ce jour, sans filtre."},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "sort": {"type": "string", "enum": list(SORTS)},
            "filters": {
                "type": "object",
                "additionalProperties": False,
                "properties": {name: STRING for name in FILTERS},
            },
            "offers": {"type": "array", "items": ref("VieOffer")},
            "facets": closed(
                {
                    name: {
                        "type": "array",
                        "items": closed({"value": STRING, "label": STRING, "count": COUNT}),
                    }
                    for name in FILTERS
                },
                "Par filtre, le nombre d'offres de chaque valeur, les autres filtres gardés.",
            ),
            "links": closed(
                {
                    "html": URI,
                    "atom": URI,
                    "first": LINK,
                    "previous": LINK,
                    "next": LINK,
                    "last": LINK,
                }
            ),
        }
    ),
    "VieCompany": closed(
        {
            "id": STRING,
            "name": STRING,
            "url": URI,
            "today": {"type": "string", "format": "date"},
            "total": COUNT,
            "offers": {"type": "array", "items": ref("VieOffer")},
            "about": closed(
                {"title": STRING, "paragraphs": {"type": "array", "items": STRING}},
                "Ce que le V.I.E. apporte à un exportateur.",
            ),
            "steps": {
                "type": "array",
                "items": closed({"id": STRING, "label": STRING, "url": URI}),
            },
            "pages": {
                "type": "array",
                "items": closed({"title": STRING, "url": URI, "kind": STRING, "provider": STRING}),
                "description": "Les pages du parcours export sur le V.I.E. (aides, guides).",
            },
        }
    ),
}

PARAMETERS = [
    query("zone", "Zone (identifiant des zones de /pays, par exemple europe).", STRING),
    query(
        "country",
        "Pays, code ISO 3166-1 alpha-2 (par exemple DE).",
        {"type": "string", "enum": country_codes()},
    ),
    query("sector", "Secteur (identifiant de /secteurs).", {"type": "string"}),
    query(
        "duration",
        "Durée de la mission, en mois.",
        {"type": "string", "enum": ["6-11", "12-17", "18-24"]},
    ),
    query(
        "start",
        "Mois de début de la mission (AAAA-MM).",
        {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"},
    ),
    query("mission", "Type de mission.", {"type": "string", "enum": ["vie", "via"]}),
    query(
        "sort",
        "Ordre : publication (les plus récentes), deadline (date limite la plus proche), start "
        "(début le plus proche).",
        {"type": "string", "enum": list(SORTS), "default": "publication"},
    ),
    query(
        "page",
        "Numéro de page (au-delà de la dernière : 404).",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    ),
]

PATHS: dict[str, Any] = {
    "/vie.json": {
        "get": {
            "operationId": "vieBoard",
            "summary": "Les offres de V.I.E. et de V.I.A. ouvertes (jumeau de /vie)",
            "parameters": PARAMETERS,
            "responses": {
                "200": json_response("VieBoard", "Les offres ouvertes"),
                "400": json_response("Error", "Paramètre incorrect (message en français)"),
                "404": json_response("Error", "Page au-delà de la dernière"),
            },
        }
    },
    "/vie/entreprises/{id}.json": {
        "get": {
            "operationId": "vieCompany",
            "summary": "Une entreprise : ses offres ouvertes et le V.I.E. pour un exportateur "
            "(jumeau de /vie/entreprises/{id})",
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "description": "Identifiant de l'entreprise (son nom en minuscules et tirets).",
                    "schema": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                }
            ],
            "responses": {
                "200": json_response("VieCompany", "L'entreprise et ses offres"),
                "404": json_response("Error", "Entreprise inconnue"),
            },
        }
    },
}
