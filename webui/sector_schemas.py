"""The OpenAPI description of the sectors' JSON twins (/secteurs.json, /secteurs/<id>.json),
merged into /api/openapi.json by webui/api.py."""

from __future__ import annotations

from typing import Any

from webui.vie_schemas import COUNT, STRING, URI, closed, json_response, ref

SECTOR_ID = {"type": "string", "pattern": "^[a-z0-9-]+$"}

SCHEMAS: dict[str, Any] = {
    "SectorList": closed(
        {
            "total": COUNT,
            "sectors": {
                "type": "array",
                "items": closed(
                    {
                        "id": SECTOR_ID,
                        "label": STRING,
                        "resources": {**COUNT, "description": "Pages du parcours du secteur."},
                        "vie": {**COUNT, "description": "Offres de V.I.E. ouvertes du secteur."},
                        "url": URI,
                    }
                ),
            },
        }
    ),
    "Sector": closed(
        {
            "id": SECTOR_ID,
            "label": STRING,
            "url": URI,
            "resources": COUNT,
            "steps": {
                "type": "array",
                "items": closed(
                    {
                        "id": STRING,
                        "label": STRING,
                        "resources": {"type": "integer", "minimum": 1},
                        "pages": {"type": "array", "items": ref("Page")},
                    }
                ),
            },
            "offers": {
                "type": "array",
                "items": ref("OfferSummary"),
                "description": "Les offres d'appui du secteur, comme le catalogue les donne "
                "(url : la page de l'organisme ; page : sa fiche sur le portail).",
            },
            "events": {"type": "array", "items": ref("ListedEvent")},
            "news": closed(
                {
                    "total": {**COUNT, "description": "Actualités en cours du secteur."},
                    "stories": {"type": "array", "items": ref("NewsStory")},
                }
            ),
            "vie": closed(
                {"total": COUNT, "offers": {"type": "array", "items": ref("VieOffer")}, "url": URI}
            ),
            "countries": {
                "type": "array",
                "items": closed(
                    {
                        "code": {"type": "string", "pattern": "^[A-Z]{2}$"},
                        "name": STRING,
                        "resources": {"type": "integer", "minimum": 1},
                        "url": URI,
                    }
                ),
                "description": "Les pays dont parlent le plus de pages du secteur.",
            },
        }
    ),
}

ID_PARAMETER = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "Identifiant du secteur (par exemple vins-spiritueux).",
    "schema": SECTOR_ID,
}
PATHS: dict[str, Any] = {
    "/secteurs.json": {
        "get": {
            "operationId": "sectors",
            "summary": "Les secteurs d'activité et leurs ressources (jumeau de /secteurs)",
            "responses": {"200": json_response("SectorList", "Les secteurs")},
        }
    },
    "/secteurs/{id}.json": {
        "get": {
            "operationId": "sector",
            "summary": "Un secteur : ressources par étape, offres, événements, actualités, "
            "V.I.E. et pays (jumeau de /secteurs/{id})",
            "parameters": [ID_PARAMETER],
            "responses": {
                "200": json_response("Sector", "Le secteur"),
                "404": json_response("Error", "Secteur inconnu"),
            },
        }
    },
}
