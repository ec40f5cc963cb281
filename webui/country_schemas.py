"""The OpenAPI description of the country directory's JSON twins (/pays.json,
/pays/<iso2>.json), merged into /api/openapi.json by webui/api.py."""

from __future__ import annotations

from typing import Any

from webui.twin_schemas import CONTACT_FIELDS

FACT_IDS = (
    "official_name",
    "capital",
    "zone",
    "currency",
    "languages",
    "time_difference",
    "eu",
    "sanctions",
)
STRING = {"type": "string"}
URI = {"type": "string", "format": "uri"}
ISO2 = {"type": "string", "pattern": "^[A-Z]{2}$", "description": "Code ISO 3166-1 alpha-2."}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
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


def _array(ref: str) -> dict[str, Any]:
    return {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}


SCHEMAS: dict[str, Any] = {
    "CountryRow": _object(
        {"code": ISO2, "name": STRING, "resources": {"type": "integer", "minimum": 0}, "url": URI}
    ),
    "CountryDirectory": _object(
        {
            "total": {
                "type": "integer",
                "description": "Pays sur lesquels le portail a des ressources.",
            },
            "query": {"type": "string", "nullable": True},
            "notice": {
                "type": "string",
                "nullable": True,
                "description": "Pourquoi le texte saisi n'a pas été cherché (sans lettre ni "
                "chiffre, « * » par exemple).",
            },
            "found": _array("CountryRow"),
            "zones": {
                "type": "array",
                "items": _object(
                    {
                        "id": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                        "label": STRING,
                        "countries": _array("CountryRow"),
                    }
                ),
            },
        }
    ),
    "FactSource": _object(
        {
            "label": STRING,
            "url": URI,
            "year": {"type": "integer", "minimum": 1990},
            "checked": {
                "type": "string",
                "format": "date",
                "nullable": True,
                "description": "Date où le fait a été comparé à sa source (données éditoriales).",
            },
        }
    ),
    "Fact": _object(
        {
            "id": {"type": "string", "enum": list(FACT_IDS)},
            "label": STRING,
            "value": STRING,
            "source": {"$ref": "#/components/schemas/FactSource"},
        }
    ),
    "Sanction": _object(
        {
            "summary": STRING,
            "url": {"type": "string", "format": "uri", "nullable": True},
            "source": {"$ref": "#/components/schemas/FactSource"},
            "confirmed": {
                "type": "boolean",
                "description": "Faux pour un régime signalé par l'équipe du portail mais pas "
                "encore comparé avec la carte des sanctions de l'UE (« à confirmer »).",
            },
            "noted": {
                "type": "string",
                "format": "date",
                "nullable": True,
                "description": "Pour un régime à confirmer : la date où l'équipe l'a signalé.",
            },
        },
        "Un régime de sanctions de l'UE visant le pays.",
    ),
    "CountryContact": _object(
        {
            **CONTACT_FIELDS,
            "crawled": {
                "type": "string",
                "format": "date",
                "nullable": True,
                "description": "Jour où le portail a relevé la page du contact.",
            },
        },
        "Un contact d'un pays : le relevé éditorial ou la page qui le publie.",
    ),
    "Country": _object(
        {
            "code": ISO2,
            "name": STRING,
            "url": URI,
            "zone": _object({"id": STRING, "label": STRING}),
            "facts": _array("Fact"),
            "sanctions": _array("Sanction"),
            "resources": {"type": "integer", "minimum": 0},
            "sources": {
                "type": "array",
                "items": _object({"provider": STRING, "pages": _array("Page")}),
            },
            "links": {"type": "array", "items": _object({"label": STRING, "url": URI})},
            "contacts": _array("CountryContact"),
            "contact_groups": {
                "type": "array",
                "description": "Les contacts par organisme (Business France, chambre de "
                "commerce française, service économique, CCEF, autres) ; un organisme sans "
                "contact relevé dans le pays donne le lien de son annuaire officiel.",
                "items": _object(
                    {
                        "id": STRING,
                        "label": STRING,
                        "contacts": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/CountryContact"},
                        },
                        "directory": {
                            **_object({"label": STRING, "url": URI}),
                            "nullable": True,
                        },
                    }
                ),
            },
            "steps": {
                "type": "array",
                "items": _object(
                    {
                        "id": STRING,
                        "label": STRING,
                        "resources": {"type": "integer", "minimum": 1},
                        "pages": _array("Page"),
                    }
                ),
            },
            "offers": {
                **_array("OfferSummary"),
                "description": "Les offres d'appui visant le pays, comme le catalogue les donne "
                "(url : la page de l'organisme ; page : sa fiche sur le portail).",
            },
            "events": _array("ListedEvent"),
            "news": _array("NewsStory"),
            "vie": _object(
                {
                    "total": {"type": "integer", "minimum": 0},
                    "offers": _array("VieOffer"),
                    "url": URI,
                },
                "Les offres de V.I.E. et de V.I.A. ouvertes dans le pays (les plus récentes) ; "
                "url : toutes ses offres sur la bourse des V.I.E.",
            ),
        }
    ),
}


def _json_response(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


PATHS: dict[str, Any] = {
    "/pays.json": {
        "get": {
            "operationId": "countries",
            "summary": "L'annuaire des pays, par zone (jumeau de /pays)",
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": False,
                    "description": "Un pays en français : nom, adjectif, code ISO.",
                    "schema": {"type": "string", "maxLength": 100},
                }
            ],
            "responses": {
                "200": _json_response("CountryDirectory", "Les pays par zone"),
                "400": _json_response("Error", "Paramètre incorrect (message en français)"),
            },
        }
    },
    "/pays/{iso2}.json": {
        "get": {
            "operationId": "country",
            "summary": "Un pays : fiche sourcée, sources, contacts, ressources (jumeau de "
            "/pays/{iso2})",
            "parameters": [
                {
                    "name": "iso2",
                    "in": "path",
                    "required": True,
                    "description": "Code ISO 3166-1 alpha-2 en minuscules (par exemple jp).",
                    "schema": {"type": "string", "pattern": "^[a-z]{2}$"},
                }
            ],
            "responses": {
                "200": _json_response("Country", "Le pays"),
                "301": {"description": "Code en majuscules : redirection vers les minuscules."},
                "404": _json_response("Error", "Pays inconnu"),
            },
        }
    },
}
