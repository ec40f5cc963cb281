"""Countries, regions and sectors found in French text: salient mentions only, precision first."""

from __future__ import annotations

import pytest

from indexer.classify import classify_page
from indexer.gazetteers import country_gazetteer, find_countries, find_regions
from indexer.lexicon import Lexicon, analyse, check_terms
from indexer.sectors import find_sectors, salient_sectors, sectors


def mentioned(text: str) -> list[str]:
    """Every country mention the gazetteer accepts in a text, in order."""
    return [m.code for m in country_gazetteer().find(text)]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Exporter vers l'Allemagne", ["DE"]),
        ("le marché allemand reste porteur", ["DE"]),
        ("les importateurs allemands et les distributrices allemandes", ["DE", "DE"]),
        ("la relation franco-allemande", ["DE"]),
        ("vendre outre-Rhin", ["DE"]),
        ("Viêt Nam, Viet Nam, Vietnam et Viêt-Nam", ["VN", "VN", "VN", "VN"]),
        ("les Émirats arabes unis", ["AE"]),
        ("s'installer aux Émirats", ["AE"]),
        ("un bureau à Dubaï", ["AE"]),
        ("la Corée du Sud et les consommateurs coréens", ["KR", "KR"]),
        ("la Corée du Nord", ["KP"]),
        ("le Royaume-Uni, la Grande-Bretagne et l'Irlande du Nord", ["GB", "GB", "GB"]),
        ("les États-Unis et les Etats Unis", ["US", "US"]),
        ("les États-Unis du Mexique", ["MX"]),
        ("la Côte d’Ivoire", ["CI"]),
        ("la Guinée-Bissau puis la Guinée", ["GW", "GN"]),
        ("la Papouasie-Nouvelle-Guinée", ["PG"]),
        ("la Russie et la Biélorussie", ["RU", "BY"]),
        ("s'implanter à Maurice", ["MU"]),
        ("le Chili et Santiago du Chili", ["CL", "CL"]),
        ("Munich, São Paulo et Hô Chi Minh-Ville", ["DE", "BR", "VN"]),
        ("la Türkiye, la Turquie", ["TR", "TR"]),
    ],
)
def test_country_names_adjectives_variants_and_cities(text, codes):
    assert mentioned(text) == codes


@pytest.mark.parametrize(
    "text",
    [
        "la France et les entreprises françaises",
        "la Guadeloupe, la Martinique, La Réunion et la Nouvelle-Calédonie",
        "Maurice Dupont dirige l'entreprise",
        "un chili con carne maison",
        "les pays du golfe de Guinée",
        "le delta du Niger et le fleuve Sénégal",
        "les îles de l'océan Indien",
        "Eau potable : traitement et distribution",
        "vous parlez allemand couramment",
        "documentation traduite en japonais",
        "anglais courant exigé",
        "le marché latino-américain",
        "la Nouvelle-Guinée",
        "une macédoine de légumes",
        "un réunion de chantier",
    ],
)
def test_no_country_in_tricky_words(text):
    assert mentioned(text) == []


def test_a_country_in_the_title_is_salient():
    assert find_countries("Mission de prospection au Maroc", "Une délégation de PME.") == ["MA"]


def test_a_passing_mention_is_not_salient():
    text = (
        "Nos conseillers vous aident à structurer votre projet. Certaines entreprises ont "
        "commencé par la Belgique. " + "Le plan export fixe vos priorités. " * 10
    )
    assert find_countries("Construire son plan export", text) == []


def test_a_country_the_text_dwells_on_is_salient():
    text = (
        "Le Kenya attire les investisseurs. Au Kenya, la demande en énergie solaire croît. "
        "Nairobi est la capitale économique du Kenya."
    )
    assert find_countries("Énergie solaire : un marché en croissance", text) == ["KE"]


def test_secondary_countries_of_a_country_page_are_not_kept():
    text = (
        "Le Mexique est la deuxième économie d'Amérique latine. Le Mexique exporte surtout "
        "vers les États-Unis ; l'accord avec les États-Unis et le Canada structure ses "
        "échanges. La croissance du Mexique ralentit."
    )
    assert find_countries("Mexique", text) == ["MX"]


def test_groups_of_countries_in_a_title():
    assert sorted(find_countries("Programme Rendez-vous Benelux", "")) == ["BE", "LU", "NL"]


def test_countries_from_the_url():
    assert find_countries("Situation économique", "", url="https://x.fr/Pays/DE/conjoncture") == [
        "DE"
    ]
    assert find_countries("Évaluation", "", url="https://x.fr/risque-pays/afrique-du-sud") == ["ZA"]


def test_france_is_never_a_target_country():
    assert find_countries("Exporter depuis la France", "La France, la France, la France.") == []


@pytest.mark.parametrize(
    ("title", "text", "codes"),
    [
        ("Team France Export Auvergne-Rhône-Alpes", "", ["84"]),
        ("Les entreprises de Rhône-Alpes à l'export", "", ["84"]),
        ("Bilan export du Nord-Pas-de-Calais", "", ["32"]),
        ("Midi-Pyrénées et Languedoc-Roussillon", "", ["76"]),
        ("Atelier export à Lille", "", ["32"]),
        ("Conseillers en Provence-Alpes-Côte d'Azur", "", ["93"]),
        ("Soutien aux entreprises de La Réunion", "", ["04"]),
        ("Une mission", "La Région Occitanie finance. L'Occitanie accueille. Occitanie.", ["76"]),
    ],
)
def test_regions_from_names_former_names_and_cities(title, text, codes):
    assert find_regions(title, text) == codes


@pytest.mark.parametrize(
    "title",
    [
        "Réunion d'information sur l'export",
        "Business developer vins de Bourgogne à New York",
        "Exporter vers la Grande-Bretagne",
        "SIAL Paris 2026 : les acheteurs étrangers",
    ],
)
def test_no_region_in_tricky_titles(title):
    assert find_regions(title, "") == []


def test_a_regional_source_gives_its_region_unless_clearly_elsewhere():
    assert find_regions("Aide aux salons", "Une aide pour exposer.", "84") == ["84"]
    assert find_regions("Mission en Bretagne", "Rennes accueille.", "84") == ["53"]
    assert find_regions("Lyon et la Bretagne", "Auvergne-Rhône-Alpes.", "84")[0] == "84"


def test_sectors_file_has_the_eighteen_sectors_in_order():
    ids = list(sectors())
    assert len(ids) == 18
    assert ids[:3] == ["agroalimentaire", "vins-spiritueux", "aeronautique"]
    assert all(sectors().values())


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "Mission agroalimentaire au Maroc",
            "Des produits alimentaires et de l'épicerie fine.",
            ["agroalimentaire"],
        ),
        (
            "ProWein 2027",
            "Le salon des vins et spiritueux : vins, cognac et champagne.",
            ["vins-spiritueux"],
        ),
        (
            "Dispositifs médicaux aux États-Unis",
            "La FDA encadre les dispositifs médicaux.",
            ["sante"],
        ),
    ],
)
def test_salient_sectors(title, text, expected):
    assert find_sectors(title, text) == expected


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "French Offshore Wind Business Mission to Scotland",
            "Meet the developers of offshore wind farms in Aberdeen. Renewable energy buyers, "
            "grid operators and wind power integrators look for French suppliers.",
            ["energie"],
        ),
        (
            "Shipping perfumes and cosmetics to the United States",
            "Fragrances and skincare products are cosmetics under FDA rules; perfumes are "
            "flammable goods for carriers.",
            ["cosmetique"],
        ),
    ],
)
def test_english_pages_find_their_sector(title, text, expected):
    assert find_sectors(title, text) == expected


def test_seafood_is_food_not_the_maritime_sector():
    title = "Pavillon régional au Seafood Expo Global"
    text = "Les produits de la mer de nos conserveries et mareyeurs : produits de la mer frais."
    assert find_sectors(title, text) == ["agroalimentaire"]


def test_a_country_page_is_devoted_to_its_country_not_to_its_promising_sectors():
    # A country sheet goes through the sectors that buy French goods, each at length; it is
    # in a sector only when its title says so.
    sectors_text = (
        "Secteurs porteurs : l'énergie (énergies renouvelables, éolien, hydrogène, réseaux "
        "électriques, efficacité énergétique, photovoltaïque), la santé (dispositifs médicaux, "
        "médicaments, hôpitaux, e-santé), l'agroalimentaire (produits alimentaires, épicerie "
        "fine, produits laitiers) et le numérique (logiciel, cybersécurité, SaaS)."
    )
    scores = {"energie": 30.0, "sante": 20.0}
    assert salient_sectors(scores, {}) == ["energie", "sante"]
    assert salient_sectors(scores, {}, title_only=True) == []
    assert salient_sectors(scores, {"sante": 6.0}, title_only=True) == ["sante"]
    text = (
        "Pologne : fiche pays. Population : 37 millions d'habitants. PIB : croissance de 3 %. "
        "Monnaie : le zloty. Capitale : Varsovie. La Pologne est le premier marché d'Europe "
        "centrale pour les exportateurs français ; climat des affaires, inflation, risque pays "
        "et principaux indicateurs économiques de la Pologne. " + sectors_text * 2
    )
    page = classify_page("https://x.fr/pays/pologne", "Pologne : fiche pays", text)
    assert page.kind == "country"
    assert page.sectors == []
    assert "energie" in find_sectors("Pologne : fiche pays", text)  # without the kind


def test_health_words_in_credit_insurance_are_not_the_health_sector():
    text = "Surveillez la santé financière de vos clients. La santé financière d'un acheteur…"
    assert find_sectors("Assurance-crédit", text) == []


@pytest.mark.parametrize(
    ("title", "text"),
    [
        # A chamber's name is not the industry sector.
        (
            "Recherche de partenaires en Allemagne - Chambre franco-allemande de commerce et "
            "d'industrie",
            "La chambre de commerce et d'industrie vous met en relation avec des importateurs.",
        ),
        # « bâtir » shares its stem with « bâtiment »: construction is named by the noun only.
        ("PME exportatrices : bâtir un programme anticorruption", "Bâtir une cartographie."),
    ],
)
def test_a_passing_word_in_a_title_is_not_a_sector(title, text):
    assert find_sectors(title, text) == []


def test_lexicon_matches_stemmed_phrases_exact_words_and_proximity():
    lexicon = Lexicon(
        {
            "a": {
                "crédit documentaire": 4,
                "=prêt à exporter": 3,
                "recrutement ~ export": 2,
                "santé financière": 0,
            }
        }
    )
    counts = lexicon.count(
        analyse(
            "Les crédits documentaires. Êtes-vous prêt à exporter ? Un prêt export. "
            "Le recrutement d'un responsable export. La santé financière."
        )
    )
    found = {lexicon.entries[i].term: n for i, n in counts.items()}
    assert found == {
        "crédit documentaire": 1,
        "=prêt à exporter": 1,
        "recrutement ~ export": 1,
        "santé financière": 1,
    }
    assert lexicon.score({i: n for i, n in counts.items()})["a"] == pytest.approx(9.0)


def test_bad_terms_are_reported_in_french():
    errors = check_terms({"les": 1, "douane": "fort", "fret": -1}, "journey.toml, étape")
    assert errors == [
        "journey.toml, étape, terme « les » : ne contient que des mots vides",
        "journey.toml, étape, terme « douane » : le poids doit être un nombre",
        "journey.toml, étape, terme « fret » : le poids doit être positif ou nul",
    ]
