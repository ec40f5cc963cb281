"""The JSON API: GET /api/search (the search page's twin) and its OpenAPI description."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from indexer.journey import KIND_IDS, STEP_IDS
from indexer.search import (
    FACET_FIELDS,
    MAX_PAGE,
    MAX_QUERY_CHARS,
    Hit,
    SearchResults,
)
from indexer.sectors import sectors
from portail.actors import ACTORS
from portail.geo import regions
from webui import (
    agenda,
    autodiagnostic,
    country_schemas,
    news,
    params,
    sector_schemas,
    twin_schemas,
    vie_schemas,
)
from webui.openapi_parts import country_codes
from webui.openapi_parts import query_param as _param
from webui.zones import zones

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> Response:
    return jsonify(search_document(params.search(request.args)))


def search_document(res: SearchResults) -> dict[str, Any]:
    """The results of a search as the API gives them (also /recherche.json)."""
    return {
        "total": res.total,
        "page": res.page,
        "results": [result(hit) for hit in res.hits],
        "facets": {name: dict(res.facets.get(name, [])) for name in FACET_FIELDS},
        "pages": res.pages,
        "suggestion": res.suggestion,
        "corrected": res.corrected,
        "notice": res.notice,
        "understood": understood(res),
    }


def understood(res: SearchResults) -> dict[str, Any] | None:
    """The places, step and synonyms the query was read with (none in literal mode)."""
    u = res.understood
    if u is None or res.query.literal:
        return None
    return {
        "countries": u.countries,
        "regions": u.regions,
        "step": u.step,
        "kind": u.kind,
        "synonyms": [s.typed for s in u.synonyms],
        "synonym_variants": {s.typed: list(s.others) for s in u.synonyms},
        "without": u.without,
    }


def result(hit: Hit) -> dict[str, Any]:
    """A page as the API gives it; an event's page adds its dates and place, and an event of a
    short list every organiser too (schemas Page and ListedEvent)."""
    found = {
        "url": hit.url,
        "title": hit.title,
        "snippet": hit.snippet,
        "step": hit.step,
        "kind": hit.kind,
        "provider": hit.provider,
        "countries": hit.countries,
        "regions": hit.regions,
        "date": hit.date,
        "actor": hit.actor,  # additions come after the fixed keys
        "language": hit.language or None,
        "updated": hit.updated,
        "added": hit.first_seen[:10] if hit.first_seen else None,
    }
    found.update(agenda.page_event_json(hit))
    return found


@bp.after_request
def allow_cross_origin(response: Response) -> Response:
    """A public, read-only API: any site may call it from a browser."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/openapi.json")
def openapi() -> Response:
    document = openapi_document(url_for("api.search", _external=True))
    providers = sorted(params.known_providers())
    if providers:  # the organisations of the index at hand: any other is a 400
        _set_enum(document, "provider", providers)
    _set_enum(document, "sector", list(sectors()))  # closed lists everywhere (one rule)
    _set_enum(document, "zone", [z.id for z in zones()])
    return jsonify(document)


def _set_enum(node: Any, name: str, values: list[str]) -> None:
    """Give every query parameter `name` of the document the accepted `values`."""
    if isinstance(node, dict):
        if node.get("name") == name and node.get("in") == "query" and "schema" in node:
            node["schema"] = {**node["schema"], "enum": values}
        for value in node.values():
            _set_enum(value, name, values)
    elif isinstance(node, list):
        for item in node:
            _set_enum(item, name, values)


def openapi_document(search_url: str) -> dict[str, Any]:
    """OpenAPI 3 description of /api/search (the fixed contract of ARCHITECTURE.md)."""
    string = {"type": "string"}
    strings = {"type": "array", "items": string}
    server = search_url.rsplit("/api/search", 1)[0] or "/"
    parameters = [
        _param(
            "q",
            "Texte recherché (mots en français).",
            {"type": "string", "maxLength": MAX_QUERY_CHARS},
        ),
        _param("step", "Étape du parcours export.", {"type": "string", "enum": list(STEP_IDS)}),
        _param("kind", "Type de contenu.", {"type": "string", "enum": list(KIND_IDS)}),
        _param(
            "country",
            "Pays, code ISO 3166-1 alpha-2 (par exemple DE ; minuscules acceptées).",
            {"type": "string", "enum": country_codes()},
        ),
        _param(
            "region",
            "Région, code INSEE (par exemple 84).",
            {"type": "string", "enum": list(regions())},
        ),
        _param(
            "provider",
            "Organisme, tel que les facettes le nomment.",
            {"type": "string", "maxLength": 200},
        ),
        _param(
            "actor",
            "Type d'acteur : public, consulaire, prive (acteur privé) ou associatif.",
            {"type": "string", "enum": list(ACTORS)},
        ),
        _param("sector", "Secteur (identifiant).", {"type": "string", "enum": list(sectors())}),
        _param("date_from", "Date de début (AAAA-MM-JJ).", {"type": "string", "format": "date"}),
        _param("date_to", "Date de fin (AAAA-MM-JJ).", {"type": "string", "format": "date"}),
        _param(
            "sort",
            "Ordre des résultats.",
            {"type": "string", "enum": ["relevance", "date"], "default": "relevance"},
        ),
        _param(
            "literal",
            "1 : chercher les mots tels que saisis, sans synonymes, pays, régions, étape ni "
            "correction orthographique.",
            {"type": "string", "enum": ["0", "1"], "default": "0"},
        ),
        _param(
            "page",
            "Numéro de page.",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        ),
        _param(
            "per_page",
            "Résultats par page.",
            {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
        ),
    ]
    result_schema = {
        "type": "object",
        "required": [
            "url",
            "title",
            "snippet",
            "step",
            "kind",
            "provider",
            "countries",
            "regions",
            "date",
        ],
        "properties": {
            "url": {"type": "string", "format": "uri", "description": "Page d'origine."},
            "title": string,
            "snippet": {
                "type": "string",
                "description": "Extrait en HTML échappé ; seuls des <mark> surlignent "
                "les mots trouvés.",
            },
            "step": {"type": "string", "nullable": True, "enum": [*STEP_IDS, None]},
            "kind": {"type": "string", "enum": list(KIND_IDS)},
            "provider": string,
            "actor": {
                "type": "string",
                "enum": list(ACTORS),
                "description": "Type d'acteur de l'organisme : public, consulaire, prive, "
                "associatif.",
            },
            "countries": strings,
            "regions": strings,
            "date": {"type": "string", "format": "date", "nullable": True},
            "language": {
                "type": "string",
                "nullable": True,
                "description": "Langue de la page d'origine (« fr », « en »…).",
            },
            "updated": {
                "type": "string",
                "format": "date",
                "nullable": True,
                "description": "La date que la page se donne (modification, sinon publication).",
            },
            "added": {
                "type": "string",
                "format": "date",
                "nullable": True,
                "description": "Le jour où le portail l'a trouvée.",
            },
        },
    }
    pages = agenda.page_schemas(result_schema)  # Page (an event's adds its dates), ListedEvent
    facet_counts = {"type": "object", "additionalProperties": {"type": "integer"}}
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {
            "title": "France International — API de recherche",
            "version": "1.0.0",
            "description": "Recherche plein texte dans les pages d'appui à l'export rassemblées "
            "par le portail, avec les mêmes filtres que la page de recherche ; l'agenda des "
            "événements de l'export (à venir et passés), avec les mêmes filtres que ses pages ; "
            "le jumeau JSON de chaque page de navigation (suffixe .json ou Accept: "
            "application/json). Une même règle partout : une valeur inconnue d'un filtre à "
            "liste fermée donne une erreur 400 qui nomme le paramètre et les valeurs acceptées, "
            "une page au-delà de la dernière une erreur 404 qui donne la première, et un texte "
            "sans lettre ni chiffre (« * », « ? ») n'est pas cherché.",
            "license": {
                "name": "Licence Ouverte 2.0 (etalab-2.0)",
                "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            },
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Rechercher des ressources",
                    "parameters": parameters,
                    "responses": {
                        "200": {
                            "description": "Résultats",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/SearchResults"}
                                }
                            },
                        },
                        "400": {
                            "description": "Paramètre incorrect (message en français)",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Error"}
                                }
                            },
                        },
                    },
                }
            },
            **agenda.openapi_paths(),
        },
        "components": {
            "schemas": {
                **agenda.openapi_schemas(),
                "SearchResults": {
                    "type": "object",
                    "required": ["total", "page", "results", "facets"],
                    "properties": {
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "results": {"type": "array", "items": pages["Page"]},
                        "facets": {
                            "type": "object",
                            "description": "Par facette, le nombre de résultats par "
                            "valeur (les plus fréquentes d'abord).",
                            "properties": {name: facet_counts for name in FACET_FIELDS},
                        },
                        "suggestion": {
                            "type": "string",
                            "nullable": True,
                            "description": "Orthographe suggérée (« Vouliez-vous dire… ? »).",
                        },
                        "corrected": {
                            "type": "boolean",
                            "description": "Vrai quand les mots saisis trouvaient peu de pages et "
                            "leur correction bien davantage, ou qu'un mot saisi ne figure sur "
                            "aucune page : les résultats sont alors ceux de la suggestion "
                            "(literal=1 pour les mots tels que saisis).",
                        },
                        "notice": {"type": "string", "nullable": True},
                        "understood": {
                            "type": "object",
                            "nullable": True,
                            "description": "Ce que la recherche a compris : pays (codes ISO), "
                            "régions (codes INSEE), étape et type de page privilégiés, mots "
                            "saisis élargis à leurs synonymes (tels que saisis, avec les "
                            "variantes cherchées aussi), mots comptés faiblement (après « sans »).",
                            "properties": {
                                "countries": strings,
                                "regions": strings,
                                "step": {"type": "string", "nullable": True},
                                "kind": {"type": "string", "nullable": True},
                                "synonyms": strings,
                                "synonym_variants": {
                                    "type": "object",
                                    "additionalProperties": strings,
                                },
                                "without": strings,
                            },
                        },
                    },
                },
                **pages,
            }
        },
    }
    document["paths"].update(country_schemas.PATHS)  # the country directory's JSON twins
    document["components"]["schemas"].update(country_schemas.SCHEMAS)
    twin_schemas.extend(document, parameters)  # the browsing pages' twins, the 400/404 rule
    autodiagnostic.add_openapi(document)  # the self-assessment result's JSON twin
    for area in (vie_schemas, sector_schemas):  # the V.I.E. board's and sectors' JSON twins
        document["paths"].update(area.PATHS)
        document["components"]["schemas"].update(area.SCHEMAS)
    document["paths"].update(news.openapi_paths())  # the news stream's JSON twins
    document["components"]["schemas"].update(news.openapi_schemas())
    return document
