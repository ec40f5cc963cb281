"""Query understanding: places by name, adjective, city or code; synonyms; question words;
quotes and exclusions; the step a query points at; the literal mode."""

from __future__ import annotations

import pytest

from indexer.analysis import terms
from indexer.understand import understand


def concept(understood, label):
    return next(c for c in understood.concepts if c.label == label)


@pytest.mark.parametrize(
    ("query", "country"),
    [
        ("marché vietnamien", "VN"),
        ("exporter vers le marché japonais", "JP"),
        ("salon à Tokyo", "JP"),
        ("exporter aux USA", "US"),
        ("exporter aux usa", "US"),
        ("filiale aux états-unis", "US"),
        ("etats unis", "US"),
        ("clients allemands", "DE"),
        ("export JP", "JP"),
        ("grande bretagne", "GB"),
        ("Royaume-Uni", "GB"),
    ],
)
def test_countries_are_understood_by_name_adjective_city_or_code(query, country):
    assert understand(query).countries == [country]


@pytest.mark.parametrize(
    "query",
    ["eau potable", "des acteurs de la filière", "CA export", "L'IT en Allemagne", "EXPORT DE VIN"],
)
def test_words_that_only_look_like_countries_are_not_countries(query):
    understood = understand(query)
    assert "AE" not in understood.countries and "CA" not in understood.countries
    assert "IT" not in understood.countries


def test_a_country_concept_matches_its_names_and_adjectives():
    vietnam = concept(understand("marché vietnamien"), "vietnamien")
    forms = {a.terms for a in vietnam.alternatives}
    assert tuple(terms("Vietnam")) in forms and tuple(terms("vietnamien")) in forms


def test_bretagne_is_a_region_and_grande_bretagne_a_country():
    assert understand("salon Bretagne").regions == ["53"]
    grande = understand("salon Grande-Bretagne")
    assert grande.countries == ["GB"] and grande.regions == []


def test_question_words_weigh_little():
    understood = understand("comment trouver un distributeur au Canada")
    weights = {c.label: c.weight for c in understood.concepts}
    assert weights["comment"] < 0.5 and weights["trouver"] < 0.5
    assert weights["distributeur"] == 1.0


def test_synonyms_make_one_concept_of_their_variants():
    credoc = understand("crédoc").concepts
    assert len(credoc) == 1
    assert tuple(terms("crédit documentaire")) in {a.terms for a in credoc[0].alternatives}


@pytest.mark.parametrize(
    ("query", "typed", "other"),
    [
        ("créer une filiale", "filiale", "implantation à l'étranger"),
        ("Crédit documentaire à l'export", "Crédit documentaire", "credoc"),
        ("partir en V.I.E.", "V.I.E.", "volontariat international en entreprise"),
        ("assurance prospection", "assurance prospection", "ap"),
    ],
)
def test_synonyms_are_reported_as_typed_with_the_entries_of_their_group(query, typed, other):
    synonyms = understand(query).synonyms
    assert [s.typed for s in synonyms] == [typed]
    assert other in synonyms[0].others and typed not in synonyms[0].others


def test_concepts_are_labelled_with_the_words_as_typed():
    labels = [c.label for c in understand("exporter des vins aux États-Unis").concepts]
    assert labels == ["exporter", "vins", "États-Unis"]


def test_quotes_are_required_phrases_and_minus_excludes():
    understood = understand('"lettre de crédit" -stand-by export')
    required = [c for c in understood.concepts if c.required]
    assert [c.alternatives[0].terms for c in required] == [tuple(terms("lettre de crédit"))]
    assert [a.terms for a in understood.excluded] == [tuple(terms("stand-by"))]


@pytest.mark.parametrize(
    ("query", "step"),
    [
        ("créer une filiale au Brésil", "implanter"),
        ("se faire payer à l'export", "gerer"),
        ("salon agroalimentaire", "prospecter"),
        ("suis-je prêt à exporter", "diagnostic"),
        ("export Japon", None),
    ],
)
def test_words_that_name_a_step_point_at_it(query, step):
    assert understand(query).step == step


def test_literal_mode_keeps_only_the_words_typed():
    understood = understand("crédoc au Japon", literal=True)
    assert understood.countries == [] and understood.step is None
    assert all(len(c.alternatives) == 1 for c in understood.concepts)


def test_a_query_of_stop_words_or_signs_has_no_concept():
    assert understand("les").empty and understand("*").empty and understand("?").empty


def test_what_a_query_does_without_weighs_little_but_still_counts():
    understood = understand("embaucher un commercial à l'étranger sans créer de filiale")
    weights = {c.label: c.weight for c in understood.concepts}
    assert weights["filiale"] < 1 and weights["embaucher"] == 1 == weights["commercial"]
    # Two words at most: « sans » does not govern the rest of the sentence.
    understood = understand("V.I.E. sans filiale sur place : qui peut héberger mon volontaire")
    weights = {c.label: c.weight for c in understood.concepts}
    assert weights["filiale"] < 1 and weights["héberger"] == 1 == weights["volontaire"]
    assert understand("sans filiale", literal=True).concepts[0].weight == 1  # as typed
