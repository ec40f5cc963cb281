"""Pieces shared by the OpenAPI descriptions of every area (search API, twins, agenda, news,
V.I.E. board): a query parameter, and the values the country filters accept."""

from __future__ import annotations

from typing import Any

from indexer.search import iso_countries


def query_param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """An optional query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def country_codes() -> list[str]:
    """ISO 3166-1 alpha-2 codes as the filters accept them: upper or lower case."""
    return [*iso_countries(), *(c.lower() for c in iso_countries())]
