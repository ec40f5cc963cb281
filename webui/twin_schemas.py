"""The OpenAPI description of the browsing pages' JSON twins (webui/twins.py) and of the one
rule for bad parameters (webui/params.py: 400 for an unknown value of a closed list, 404 for a
page past the last), merged into /api/openapi.json by webui/api.py."""

from __future__ import annotations

from typing import Any

from indexer.journey import KIND_IDS, STEP_IDS
from indexer.offers import cues
from indexer.search import MAX_PAGE
from indexer.sectors import sectors
from portail.actors import ACTORS
from portail.geo import regions
from webui.openapi_parts import country_codes

STRING = {"type": "string"}
NULLABLE = {"type": "string", "nullable": True}
URI = {"type": "string", "format": "uri"}
COUNT = {"type": "integer", "minimum": 0}
REGION_CODE = {"type": "string", "pattern": "^[0-9]{2}$", "description": "Code INSEE."}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


def closed(properties: dict[str, Any], description: str = "", **extra: Any) -> dict[str, Any]:
    """An object whose every property is required and nothing else allowed."""
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
        **extra,
    }
    if description:
        schema["description"] = description
    return schema


# A contact's fields, as webui.directory.Contact holds them (the partner, region and country
# twins add where it comes from).
CONTACT_FIELDS: dict[str, Any] = {
    "name": STRING,
    "role": STRING,
    "address": STRING,
    "phone": STRING,
    "email": STRING,
    "form": STRING,
    "url": STRING,
    "source": {**STRING, "description": "La page d'où l'équipe éditoriale l'a tiré."},
    "checked": {**STRING, "description": "Le jour où elle l'y a vérifié (AAAA-MM-JJ)."},
    "page": {**URI, "nullable": True, "description": "La page collectée qui le publie."},
}
STEP_REF = {
    "id": {"type": "string", "enum": list(STEP_IDS)},
    "number": {"type": "integer", "minimum": 1, "maximum": len(STEP_IDS)},
    "label": STRING,
}
CUE = closed({"id": STRING, "label": STRING})
OPTIONS = {
    "type": "object",
    "description": "Les choix de chaque filtre, tels que le formulaire de la page les propose "
    "(le nombre de résultats entre parenthèses).",
    "additionalProperties": array(closed({"value": STRING, "label": STRING})),
}
PAGE_LINKS = closed(
    {
        "html": URI,
        "first": {**URI, "nullable": True},
        "previous": {**URI, "nullable": True},
        "next": {**URI, "nullable": True},
        "last": {**URI, "nullable": True},
    },
    "La page HTML, et les autres pages de la liste en JSON.",
)
KIND_COUNT = closed(
    {"kind": {"type": "string", "enum": list(KIND_IDS)}, "label": STRING, "count": COUNT}
)

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {**STRING, "description": "Le message, en français."},
            "parameter": {**STRING, "description": "Le paramètre en cause."},
            "accepted": {
                **array(STRING),
                "description": "Les valeurs que ce paramètre accepte (liste fermée).",
            },
            "first_page": {
                **URI,
                "description": "La première page de la liste (page au-delà de la dernière).",
            },
        },
    },
    "StepRef": closed(STEP_REF),
    "Link": closed({"label": STRING, "url": URI}),
    "Contact": closed(
        {
            **CONTACT_FIELDS,
            "editorial": {
                "type": "boolean",
                "description": "Vrai pour un contact de l'annuaire "
                "éditorial du portail, faux pour un contact lu sur une page collectée.",
            },
        }
    ),
    "OfferSummary": closed(
        {
            "id": STRING,
            "title": STRING,
            "page": {**URI, "description": "Sa page sur le portail."},
            "url": {**URI, "description": "Sa page chez l'organisme qui la propose."},
            "provider": STRING,
            "actor": {
                "type": "string",
                "enum": list(ACTORS),
                "description": "Type d'acteur de l'organisme (les cartes signalent les autres "
                "que « public »).",
            },
            "steps": array({"type": "string", "enum": list(STEP_IDS)}),
            "benefits": array(CUE),
            "audience": array(CUE),
            "national": {
                "type": "boolean",
                "description": "Ouverte aux entreprises de toutes les régions.",
            },
            "regions": array(REGION_CODE),
            "summary": STRING,
            "date": {"type": "string", "format": "date", "nullable": True},
        }
    ),
}


def _offer() -> dict[str, Any]:
    summary = SCHEMAS["OfferSummary"]
    properties = {
        **summary["properties"],
        "countries": array(STRING),
        "sectors": array(CUE),
        "partner": {
            **closed({"id": STRING, "name": STRING, "url": URI}),
            "type": "object",
            "nullable": True,
        },
        "contacts": array(ref("Contact")),
        "same_provider": array(ref("OfferSummary")),
        "more_from_provider": COUNT,
        "same_step": array(ref("OfferSummary")),
        "events": array(ref("ListedEvent")),
    }
    return closed(properties)


SCHEMAS |= {
    "Offer": _offer(),
    "OffersPage": closed(
        {
            "total": COUNT,
            "all_total": {**COUNT, "description": "Toutes les offres du catalogue."},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "filters": {"type": "object", "additionalProperties": STRING},
            "options": OPTIONS,
            "offers": array(ref("OfferSummary")),
            "links": PAGE_LINKS,
        }
    ),
    "Partners": closed(
        {
            "groups": array(
                closed(
                    {
                        "label": STRING,
                        "partners": array(
                            closed(
                                {
                                    "id": STRING,
                                    "name": STRING,
                                    "role": STRING,
                                    "resources": COUNT,
                                    "url": URI,
                                }
                            )
                        ),
                    }
                )
            ),
            "regions": array(
                closed(
                    {
                        "code": REGION_CODE,
                        "name": STRING,
                        "url": URI,
                        "council": NULLABLE,
                        "resources": COUNT,
                    }
                )
            ),
            "organisations": array(
                closed(
                    {
                        "id": STRING,
                        "name": STRING,
                        "resources": COUNT,
                        "steps": {
                            "type": "object",
                            "additionalProperties": COUNT,
                            "description": "Ressources par étape du parcours.",
                        },
                        "url": URI,
                    }
                )
            ),
        }
    ),
    "Partner": closed(
        {
            "id": STRING,
            "name": STRING,
            "role": NULLABLE,
            "group": NULLABLE,
            "providers": {
                **array(STRING),
                "description": "Les noms sous lesquels ses pages sont collectées.",
            },
            "resources": COUNT,
            "steps": {**array(ref("StepRef")), "description": "Les étapes où il intervient."},
            "kinds": array(KIND_COUNT),
            "regions": array(closed({"code": REGION_CODE, "name": STRING, "resources": COUNT})),
            "council_region": {**NULLABLE, "description": "La région dont il est le conseil."},
            "sites": array(ref("Link")),
            "offers": array(ref("OfferSummary")),
            "contacts": array(ref("Contact")),
            "events": array(ref("ListedEvent")),
            "by_step": array(closed({**STEP_REF, "resources": COUNT, "pages": array(ref("Page"))})),
        }
    ),
    "RegionRow": closed(
        {
            "code": REGION_CODE,
            "name": STRING,
            "url": URI,
            "contacts": COUNT,
            "resources": COUNT,
            "events": {**COUNT, "description": "Événements à venir."},
        }
    ),
    "Regions": closed(
        {"metropolitan": array(ref("RegionRow")), "overseas": array(ref("RegionRow"))}
    ),
    "Region": closed(
        {
            "code": REGION_CODE,
            "name": STRING,
            "council": NULLABLE,
            "resources": COUNT,
            "contacts": array(ref("Contact")),
            "sites": array(ref("Link")),
            "offers": {
                **array(ref("OfferSummary")),
                "description": "Les offres propres à la "
                "région (les nationales s'y ajoutent : links.offers).",
            },
            "events": array(ref("ListedEvent")),
            "news": {**array(ref("NewsStory")), "description": "Actualités de la région."},
            "steps": array(closed({**STEP_REF, "resources": COUNT})),
            "latest": array(ref("Page")),
            "links": closed({"html": URI, "offers": URI, "agenda": URI, "search": URI}),
        }
    ),
    "Step": closed(
        {
            **STEP_REF,
            "short": STRING,
            "description": STRING,
            "filters": {"type": "object", "additionalProperties": STRING},
            "options": OPTIONS,
            "total": COUNT,
            "sections": array(
                closed(
                    {
                        "kind": {"type": "string", "enum": list(KIND_IDS)},
                        "label": STRING,
                        "resources": COUNT,
                        "pages": array(ref("Page")),
                        "more": {**URI, "nullable": True},
                    }
                )
            ),
            "nearby": {**array(ref("Page")), "description": "Dans la région de l'utilisateur."},
            "links": closed({"html": URI}),
        }
    ),
    "Steps": closed(
        {
            "steps": array(
                closed(
                    {
                        **STEP_REF,
                        "short": STRING,
                        "description": STRING,
                        "resources": COUNT,
                        "kinds": array(KIND_COUNT),
                        "url": URI,
                    }
                )
            )
        }
    ),
    "Home": closed(
        {
            "steps": array(closed({**STEP_REF, "resources": COUNT, "url": URI})),
            "latest": array(ref("Page")),
            "events": array(ref("ListedEvent")),
            "news": {**array(ref("NewsStory")), "description": "Les dernières actualités."},
            "region": {**NULLABLE, "description": "La région choisie (cookie « Ma région »)."},
            "regional": array(ref("Page")),
            "providers": array(
                closed({"id": STRING, "name": STRING, "resources": COUNT, "url": URI})
            ),
            "popular": array(STRING),
        }
    ),
}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _path(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or STRING,
    }


def _json(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref(schema)}}}


BAD = _json("Valeur inconnue ou mal formée (message en français, valeurs acceptées)", "Error")
PAST = _json("Page au-delà de la dernière (first_page : la première page)", "Error")
UNKNOWN = _json("Adresse inconnue", "Error")


def _operation(
    operation_id: str,
    summary: str,
    schema: str,
    parameters: list[dict[str, Any]],
    *errors: tuple[str, dict[str, Any]],
) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": parameters,
            "responses": {"200": _json(summary, schema), **dict(errors)},
        }
    }


# Closed lists: a value outside them is a 400 (the one rule of webui/params.py).
REGION_FILTER = {"type": "string", "enum": list(regions()), "description": "Code INSEE."}
COUNTRY_FILTER = {
    "type": "string",
    "enum": country_codes(),
}
SECTOR_FILTER = {"type": "string", "enum": list(sectors())}
STEP_FILTERS = [
    _query("region", "Région, code INSEE (par exemple 84).", REGION_FILTER),
    _query("country", "Pays, code ISO 3166-1 alpha-2 (par exemple DE).", COUNTRY_FILTER),
    _query("provider", "Organisme, tel que les filtres le nomment.", STRING),
    _query("sector", "Secteur (identifiant).", SECTOR_FILTER),
]
OFFER_FILTERS = [
    _query("step", "Étape du parcours.", {"type": "string", "enum": list(STEP_IDS)}),
    _query("provider", "Organisme, tel que les filtres le nomment.", STRING),
    _query(
        "region",
        "Région de l'entreprise (code INSEE), ou « national ».",
        {"type": "string", "enum": [*regions(), "national"]},
    ),
    _query(
        "aide",
        "Type d'aide (identifiant).",
        {"type": "string", "enum": list(cues().labels("benefit"))},
    ),
    _query(
        "public",
        "Public (identifiant).",
        {"type": "string", "enum": list(cues().labels("audience"))},
    ),
    _query(
        "page",
        "Numéro de page (au-delà de la dernière : 404).",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    ),
]

PATHS: dict[str, Any] = {
    "/accueil.json": _operation(
        "home", "La page d'accueil : les étapes, les nouveautés, les événements", "Home", []
    ),
    "/etapes.json": _operation("steps", "Les six étapes du parcours export", "Steps", []),
    "/etapes/{step_id}.json": _operation(
        "step",
        "Une étape : ses ressources par type, sous les filtres de la page",
        "Step",
        [
            _path("step_id", "L'étape.", {"type": "string", "enum": list(STEP_IDS)}),
            *STEP_FILTERS,
        ],
        ("400", BAD),
        ("404", UNKNOWN),
    ),
    "/offres.json": _operation(
        "offers",
        "Le catalogue des offres d'appui, filtré, page par page",
        "OffersPage",
        OFFER_FILTERS,
        ("400", BAD),
        ("404", PAST),
    ),
    "/offres/{offer_id}.json": _operation(
        "offer",
        "Une offre d'appui",
        "Offer",
        [_path("offer_id", "L'identifiant de l'offre (ses pages le donnent).")],
        ("301", {"description": "Offre renommée : son adresse actuelle."}),
        ("404", UNKNOWN),
    ),
    "/partenaires.json": _operation(
        "partners", "Les partenaires de l'export et les organismes collectés", "Partners", []
    ),
    "/partenaires/{provider_id}.json": _operation(
        "partner",
        "Un partenaire : son rôle, ses offres, ses contacts, ses ressources",
        "Partner",
        [_path("provider_id", "L'identifiant du partenaire (par exemple bpifrance).")],
        ("404", UNKNOWN),
    ),
    "/regions.json": _operation("regions", "Les dix-huit régions", "Regions", []),
    "/regions/{code}.json": _operation(
        "region",
        "Une région : ses contacts export, ses offres, ses événements",
        "Region",
        [_path("code", "Code INSEE de la région (par exemple 84).", REGION_CODE)],
        ("404", UNKNOWN),
    ),
}


def extend(document: dict[str, Any], search_parameters: list[dict[str, Any]]) -> None:
    """Add the twins, the search page's own twin and the rule's errors to the document."""
    paths = document["paths"]
    search = paths["/api/search"]["get"]
    search["responses"]["404"] = PAST
    paths["/recherche.json"] = {
        "get": {
            **search,
            "operationId": "searchPage",
            "summary": "La page de recherche (jumeau de /recherche : la réponse de /api/search)",
            "parameters": search_parameters,
        }
    }
    paths.update(PATHS)
    document["components"]["schemas"].update(SCHEMAS)
