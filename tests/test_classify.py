"""The page classifier: steps, kinds, relevance, pins, and its quality on labelled pages.

The tables are short texts written in the styles of real sites (not the demo web's wording).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from demo.records import demo_records
from indexer.classify import (
    Classifier,
    classify_page,
    classify_record,
    load_pins,
    without_site_name,
)
from indexer.evaluate import baseline, evaluate, format_report, read_records
from indexer.journey import STEP_IDS
from indexer.model import Head, Model

ROOT = Path(__file__).resolve().parent.parent
# Floors on the real-style test half, a little under what it measured (eval/MESURES.md: strict
# 0.958, lenient 0.975, off-topic rejected 0.982, export pages dropped 0.012, kinds 0.883).
TEST_FLOORS = {
    "strict": 0.93,
    "lenient": 0.96,
    "rejected": 0.92,
    "dropped": 0.03,
    "kinds": 0.90,
    "sector_precision": 0.85,
    "sector_recall": 0.70,
    "region_recall": 0.80,
}

PAGES = [
    (
        "diagnostic",
        "guide",
        "https://www.cci.fr/ressources/international/testez-votre-potentiel-export",
        "Testez votre potentiel export en dix minutes",
        "Répondez à notre questionnaire en ligne pour évaluer la maturité de votre entreprise à "
        "l'international : organisation, ressources humaines, produits, capacité financière. À "
        "l'issue du test, vous obtenez une synthèse de vos points forts et de vos points de "
        "vigilance. Un conseiller peut ensuite vous rappeler pour analyser vos résultats et "
        "définir avec vous les prochaines étapes de votre projet.",
    ),
    (
        "diagnostic",
        "offer",
        "https://www.cci.fr/international/premier-rendez-vous",
        "Premier rendez-vous export : faisons connaissance",
        "Vous envisagez de vendre à l'étranger ? Un conseiller international de votre CCI vous "
        "reçoit gratuitement dans votre entreprise pour faire le point sur votre projet, "
        "identifier vos atouts et vos faiblesses, et vous orienter vers les dispositifs les "
        "plus adaptés. Cet entretien d'une heure trente débouche sur un compte rendu écrit et "
        "des recommandations.",
    ),
    (
        "diagnostic",
        "offer",
        "https://www.teamfrance-export.fr/nos-services/audit-export",
        "Audit export : mesurez votre capacité à vous développer hors de France",
        "Avant d'engager des moyens à l'international, prenez le temps d'un audit. Nos experts "
        "examinent votre offre, votre organisation, vos ressources et votre motivation, puis "
        "vous remettent un rapport qui évalue votre capacité à exporter et vos chances de "
        "réussite. Prestation prise en charge en partie par la Région pour les PME.",
    ),
    (
        "diagnostic",
        "guide",
        "https://www.bpifrance-creation.fr/encyclopedie/primo-exportateurs",
        "Primo-exportateurs : par où commencer ?",
        "Vous n'avez jamais exporté et vous recevez vos premières demandes de l'étranger. Avant "
        "de vous lancer, posez-vous les bonnes questions : votre direction est-elle prête à "
        "s'engager dans la durée ? Disposez-vous de ressources internes pour suivre des clients "
        "étrangers ? Votre produit a-t-il un avantage concurrentiel hors de France ? Un "
        "autodiagnostic vous aide à y voir clair.",
    ),
    # A market study with no cue of its kind: the kind is not asserted.
    (
        "informer",
        None,
        "https://www.businessfrance.fr/japon-tendances-consommation",
        "Japon : les tendances de consommation alimentaire",
        "Vieillissement de la population, foyers d'une personne, recherche de produits sains : "
        "les habitudes de consommation des Japonais évoluent rapidement. Les ventes de plats "
        "préparés progressent, tout comme la demande en produits importés haut de gamme. La "
        "taille du marché des produits biologiques reste modeste mais croît de 5 % par an. "
        "Notre étude analyse les circuits de distribution et les attentes des consommateurs.",
    ),
    (
        "informer",
        "news",
        "https://www.douane.gouv.fr/actualites/le-commerce-exterieur-en-2025",
        "Le commerce extérieur de la France en 2025 : les chiffres clés",
        "Le déficit commercial de la France s'est réduit en 2025 pour atteindre 78 milliards "
        "d'euros. Les exportations progressent de 2,1 %, portées par l'aéronautique et les "
        "produits pharmaceutiques, tandis que la facture énergétique recule. Le nombre "
        "d'entreprises exportatrices atteint un niveau record. Les statistiques détaillées par "
        "produit et par pays partenaire sont disponibles en téléchargement.",
    ),
    (
        "informer",
        "country",
        "https://www.tresor.economie.gouv.fr/Pays/BR/situation-economique",
        "Brésil : situation économique et financière",
        "Après une croissance de 3 % en 2024, l'économie brésilienne ralentit. L'inflation "
        "reste supérieure à la cible de la banque centrale, qui maintient un taux directeur "
        "élevé. Le pays compte 203 millions d'habitants et une classe moyenne importante. La "
        "dette publique approche 78 % du PIB. La France est le premier investisseur européen au "
        "Brésil et les échanges bilatéraux dépassent 8 milliards d'euros.",
    ),
    (
        "informer",
        "offer",
        "https://www.teamfrance-export.fr/solutions/etude-de-marche",
        "Études de marché sur mesure",
        "Vous hésitez entre plusieurs pays ? Nos bureaux à l'étranger réalisent pour vous une "
        "étude de marché ciblée : taille et dynamique du marché, concurrence locale, "
        "réglementation applicable, prix pratiqués et circuits de distribution. Vous recevez un "
        "rapport détaillé sous six semaines. Tarif à partir de 1 500 euros HT.",
    ),
    (
        "informer",
        "news",
        "https://www.cci.fr/actualites/chine-nouvelles-normes-cosmetiques",
        "Chine : de nouvelles exigences réglementaires pour les cosmétiques importés",
        "Les autorités chinoises ont publié de nouvelles règles d'enregistrement des produits "
        "cosmétiques importés, applicables au 1er mai 2026. Les fabricants devront fournir des "
        "rapports d'évaluation de la sécurité et un étiquetage en chinois. Notre service de "
        "veille réglementaire détaille les changements et les délais de mise en conformité.",
    ),
    (
        "strategie",
        "guide",
        "https://www.cci.fr/ressources/international/plan-action-export",
        "Construire son plan d'action export",
        "Un plan d'action export formalise vos objectifs, vos marchés cibles, les moyens "
        "humains et financiers que vous y consacrez et le calendrier de vos actions. Commencez "
        "par hiérarchiser trois à cinq pays selon leur potentiel et leur accessibilité, fixez "
        "un budget réaliste, puis déclinez les actions : adaptation de l'offre, politique de "
        "prix, communication. Révisez votre stratégie chaque année.",
    ),
    (
        "strategie",
        "offer",
        "https://www.bpifrance.fr/catalogue-offres/pret-croissance-international",
        "Prêt Croissance International",
        "Financez votre stratégie de développement à l'international avec un prêt sans garantie "
        "de 30 000 à 5 millions d'euros, d'une durée de 7 ans avec 2 ans de différé. Il finance "
        "les investissements immatériels, le besoin en fonds de roulement et le recrutement de "
        "commerciaux export. Destiné aux PME et ETI de plus de trois ans, il s'adosse à un "
        "programme export construit avec nos chargés d'affaires.",
    ),
    (
        "strategie",
        "guide",
        "https://www.inpi.fr/proteger-marque-international",
        "Protéger sa marque à l'étranger",
        "Une marque déposée en France n'est protégée qu'en France. Avant de prospecter, étendez "
        "votre protection : dépôt de marque de l'Union européenne auprès de l'EUIPO, "
        "enregistrement international par le système de Madrid géré par l'OMPI, ou dépôts "
        "nationaux. Pensez aussi à vos brevets et à vos dessins et modèles : la contrefaçon "
        "frappe d'abord les entreprises mal protégées.",
    ),
    (
        "strategie",
        "offer",
        "https://www.cci.fr/formations/fondamentaux-export",
        "Formation : les fondamentaux de la stratégie export",
        "Cette formation de deux jours s'adresse aux dirigeants et collaborateurs qui préparent "
        "leur développement international. Au programme : diagnostic de l'offre, sélection des "
        "marchés, construction du plan export, budget et financement. Formation éligible au "
        "CPF, animée par des consultants spécialisés. Tarif : 890 euros HT.",
    ),
    (
        "strategie",
        "guide",
        "https://www.bpifrance.fr/nos-actualites/recruter-responsable-export",
        "Recruter son premier responsable export",
        "Le recrutement d'un responsable export est souvent le tournant du développement "
        "international d'une PME. Définissez d'abord la mission : prospection, animation d'un "
        "réseau d'agents, suivi des grands comptes. Recherchez un profil qui parle la langue de "
        "vos marchés cibles. Des aides régionales peuvent financer une partie du salaire la "
        "première année.",
    ),
    (
        "prospecter",
        "event",
        "https://www.businessfrance.fr/evenements/gulfood-2027",
        "Gulfood 2027 : exposez sur le Pavillon France à Dubaï",
        "Du 15 au 19 février 2027, le plus grand salon agroalimentaire du Moyen-Orient réunit "
        "plus de 5 000 exposants. Business France organise un Pavillon France de 80 stands et "
        "vous accompagne : stand clé en main, programme de rendez-vous avec des importateurs et "
        "des distributeurs du Golfe, promotion auprès des acheteurs. Date limite d'inscription "
        ": 15 octobre 2026.",
    ),
    (
        "prospecter",
        "offer",
        "https://www.bpifrance.fr/catalogue-offres/assurance-prospection",
        "Assurance Prospection",
        "L'Assurance Prospection vous avance une partie de vos dépenses de prospection à "
        "l'international et vous protège en cas d'échec commercial. Salons, missions, "
        "recrutement d'un commercial, frais de marketing : les dépenses couvertes sont larges. "
        "En cas d'échec, vous conservez l'avance ; en cas de succès, vous la remboursez en "
        "fonction de votre chiffre d'affaires à l'export.",
    ),
    (
        "prospecter",
        "event",
        "https://www.cci.fr/agenda/mission-kenya-2027",
        "Mission de prospection au Kenya",
        "Du 8 au 11 mars 2027, participez à une mission collective à Nairobi et Mombasa. Au "
        "programme : présentation du marché, rendez-vous individuels avec des distributeurs et "
        "des importateurs sélectionnés, visites de sites. Coût de participation : 2 900 euros "
        "HT. Places limitées à dix entreprises ; inscriptions jusqu'au 15 décembre.",
    ),
    (
        "prospecter",
        "offer",
        "https://www.teamfrance-export.fr/solutions/recherche-partenaires",
        "Trouver un distributeur en Allemagne",
        "Notre équipe à Düsseldorf identifie et contacte pour vous des distributeurs, des "
        "agents commerciaux et des importateurs allemands susceptibles de référencer vos "
        "produits. Vous recevez la liste des partenaires intéressés et nous organisons vos "
        "rendez-vous d'affaires sur place. Une prestation idéale pour tester l'intérêt du "
        "marché avant d'y investir.",
    ),
    (
        "prospecter",
        "event",
        "https://www.cci.fr/evenements/rencontres-acheteurs-canada",
        "Rencontres acheteurs : le Canada en ligne",
        "Le 14 avril 2027, rencontrez en visioconférence une quinzaine d'acheteurs canadiens de "
        "la grande distribution et de l'épicerie fine. Chaque rendez-vous B2B dure vingt "
        "minutes. Inscription gratuite, sélection des fournisseurs par les acheteurs sur la "
        "base d'une fiche produit.",
    ),
    (
        "gerer",
        "guide",
        "https://www.cci.fr/ressources/incoterms-2020",
        "Incoterms 2020 : qui paie quoi ?",
        "Les Incoterms répartissent entre le vendeur et l'acheteur les frais de transport, les "
        "risques et les formalités douanières. En EXW, l'acheteur prend tout en charge dès la "
        "sortie de votre usine ; en DDP, vous livrez dédouané à destination. Choisissez la "
        "règle en fonction de votre maîtrise de la logistique et indiquez toujours le lieu "
        "précis de livraison.",
    ),
    (
        "gerer",
        "guide",
        "https://www.lesechos.fr/credit-documentaire",
        "Le crédit documentaire : sécuriser le paiement de vos exportations",
        "Le crédit documentaire est l'engagement d'une banque de payer l'exportateur contre la "
        "remise de documents conformes : facture, documents de transport, certificat d'origine. "
        "Confirmé par une banque française, il vous protège du risque de non-paiement et du "
        "risque pays. Vérifiez chaque document avec soin : la moindre irrégularité peut bloquer "
        "le paiement.",
    ),
    (
        "gerer",
        "offer",
        "https://www.coface.com/fr/solutions/assurance-credit",
        "Assurance-crédit : protégez-vous contre les impayés",
        "Nos contrats d'assurance-crédit vous protègent contre le risque de défaut de paiement "
        "de vos clients, en France comme à l'export. Nous surveillons en continu la solvabilité "
        "de vos acheteurs, vous indemnisons en cas d'impayé et prenons en charge le "
        "recouvrement de vos créances. Une offre adaptée aux PME, avec une prime calculée sur "
        "votre chiffre d'affaires assuré.",
    ),
    (
        "gerer",
        "guide",
        "https://www.douane.gouv.fr/fiche/exportateur-agree",
        "Obtenir le statut d'exportateur agréé",
        "Le statut d'exportateur agréé permet d'établir vous-même les attestations d'origine "
        "sur vos factures, sans certificat EUR.1 visé par la douane. Il simplifie vos "
        "exportations vers les pays liés à l'Union européenne par un accord préférentiel. La "
        "demande se fait auprès du pôle d'action économique de votre direction régionale, qui "
        "vérifie votre maîtrise des règles d'origine.",
    ),
    (
        "gerer",
        "guide",
        "https://www.cci.fr/ressources/transport-international",
        "Organiser le transport international de ses marchandises",
        "Maritime, aérien, routier ou ferroviaire : le choix du mode de transport dépend du "
        "délai, du coût et de la nature des marchandises. Un transitaire peut organiser "
        "l'ensemble de la chaîne logistique, de l'enlèvement à la livraison, et se charger du "
        "dédouanement. Soignez l'emballage et l'assurance des marchandises transportées.",
    ),
    (
        "gerer",
        "guide",
        "https://www.impots.gouv.fr/professionnel/tva-intracommunautaire",
        "TVA : vendre à un client établi dans un autre État membre",
        "Une livraison de biens à un professionnel établi dans un autre État membre est "
        "exonérée de TVA en France si vous disposez de son numéro de TVA intracommunautaire et "
        "de la preuve du transport. Votre client autoliquide la TVA dans son pays. Mentionnez "
        "l'exonération sur la facture et déclarez l'opération dans l'état récapitulatif.",
    ),
    (
        "gerer",
        "offer",
        "https://www.bpifrance.fr/catalogue-offres/assurance-change",
        "Assurance Change",
        "Vous répondez à un appel d'offres ou signez un contrat en devises ? L'Assurance Change "
        "vous garantit un cours de change pendant toute la durée de la négociation puis de "
        "l'exécution du contrat. Vous êtes protégé contre la baisse de la devise tout en "
        "profitant de sa hausse. Couverture disponible pour le dollar, la livre, le yen et une "
        "vingtaine d'autres devises.",
    ),
    (
        "implanter",
        "guide",
        "https://www.tresor.economie.gouv.fr/Pays/MA/creer-une-filiale",
        "Créer une filiale au Maroc",
        "La société à responsabilité limitée est la forme juridique la plus utilisée par les "
        "investisseurs étrangers au Maroc. La création passe par le centre régional "
        "d'investissement : certificat négatif, dépôt des statuts, immatriculation au registre "
        "du commerce. Le capital social minimum est libre. Les dividendes peuvent être "
        "rapatriés librement après paiement de l'impôt.",
    ),
    (
        "implanter",
        "vie",
        "https://mon-vie-via.businessfrance.fr/offres/245871",
        "V.I.E. – Responsable commercial Amérique du Nord (H/F) – Toronto",
        "Mission de 24 mois à pourvoir dès janvier 2027 au sein de notre filiale canadienne. "
        "Rattaché(e) au directeur général, vous développez le portefeuille de clients "
        "industriels en Ontario et au Québec. Profil recherché : diplômé(e) d'une école de "
        "commerce, anglais courant, première expérience commerciale. Postulez en ligne avec "
        "votre CV.",
    ),
    (
        "implanter",
        "offer",
        "https://www.bpifrance.fr/catalogue-offres/assurance-investissement",
        "Assurance Investissement",
        "Vous créez une filiale ou prenez une participation dans une société à l'étranger ? "
        "L'Assurance Investissement protège vos investissements contre le risque politique : "
        "expropriation, nationalisation, guerre, impossibilité de rapatrier vos dividendes. La "
        "garantie couvre jusqu'à 95 % de la perte, sur une durée de trois à vingt ans.",
    ),
    (
        "implanter",
        "guide",
        "https://www.ccef.org/conseils/joint-venture-inde",
        "Joint-venture en Inde : bien choisir son partenaire",
        "Pour s'implanter en Inde, de nombreuses entreprises françaises créent une coentreprise "
        "avec un partenaire local qui apporte son réseau et sa connaissance du terrain. "
        "Vérifiez la solidité financière du partenaire, répartissez clairement la gouvernance "
        "et prévoyez des clauses de sortie dans le pacte d'actionnaires. La production locale "
        "reste un atout pour les marchés publics.",
    ),
    (
        "implanter",
        "offer",
        "https://www.businessfrance.fr/solutions/hebergement-entreprises",
        "Hébergement et portage : installez-vous à Dubaï",
        "Notre centre d'affaires de Dubaï héberge les entreprises françaises qui souhaitent "
        "s'installer durablement aux Émirats. Bureau équipé, domiciliation, recrutement de "
        "collaborateurs locaux et portage salarial : nous vous aidons à créer votre présence "
        "locale sans créer immédiatement de structure juridique.",
    ),
    (
        "diagnostic",
        "contact",
        "https://www.cci.fr/contacts/conseillers-international-bretagne",
        "Bretagne : vos conseillers international",
        "Vous avez un projet à l'international ? L'équipe de CCI International Bretagne vous "
        "reçoit à Rennes, Brest et Lorient pour un premier entretien gratuit. Contactez-nous au "
        "02 99 00 00 00 ou par courriel à international@exemple.invalid. Du lundi au vendredi, "
        "de 9 h à 17 h.",
    ),
    (
        "informer",
        "event",
        "https://www.businessfrance.fr/evenements/webinaire-marche-indien",
        "Webinaire : le marché indien des cosmétiques",
        "Le 12 mars 2027 de 10 h à 11 h 30, nos experts à New Delhi et Mumbai présentent les "
        "tendances du marché indien des cosmétiques, la réglementation applicable à "
        "l'enregistrement des produits et les circuits de distribution. Inscription gratuite, "
        "en ligne.",
    ),
    (
        "prospecter",
        "news",
        "https://www.region.fr/actualites/pme-distributeur-japon",
        "Une PME bretonne signe avec un importateur japonais",
        "Après deux participations au salon Foodex de Tokyo, la biscuiterie a signé en janvier "
        "un contrat de distribution exclusive avec un importateur japonais. Les premières "
        "commandes ont été livrées au printemps. L'entreprise a bénéficié de l'Assurance "
        "prospection et de l'appui du bureau Business France de Tokyo.",
    ),
    (
        "gerer",
        "event",
        "https://www.cci.fr/agenda/atelier-douane-brexit",
        "Atelier : les formalités douanières après le Brexit",
        "Le 5 février 2027, de 9 h à 12 h, un expert de la douane et un transitaire présentent "
        "les formalités d'export vers le Royaume-Uni : numéro EORI, déclaration en douane, "
        "règles d'origine et contrôles sanitaires. Participation : 90 euros HT. Inscription "
        "obligatoire.",
    ),
    (
        "implanter",
        "news",
        "https://www.bpifrance.fr/nos-actualites/filiale-etats-unis",
        "Un équipementier lyonnais ouvre sa première filiale aux États-Unis",
        "L'ETI a inauguré le 10 mars sa filiale de Charlotte, en Caroline du Nord, où elle a "
        "recruté quinze salariés locaux. Cette implantation, financée en partie par un prêt de "
        "Bpifrance, doit lui permettre de produire localement et de se rapprocher de ses "
        "clients américains.",
    ),
]

OFF_TOPIC = [
    (
        "https://www.marmiton.org/recettes/blanquette",
        "Recette : la blanquette de veau de grand-mère",
        "Coupez la viande en morceaux et faites-la blanchir dix minutes. Égouttez, puis couvrez "
        "d'eau froide avec une carotte, un oignon piqué de clous de girofle et un bouquet "
        "garni. Laissez mijoter une heure et demie. Préparez un roux avec le beurre et la "
        "farine, mouillez avec le bouillon, ajoutez la crème et le jaune d'œuf. Servez avec du "
        "riz.",
    ),
    (
        "https://www.region.fr/actualites/rugby-finale",
        "Le club de rugby régional remporte la finale",
        "Devant 12 000 spectateurs, l'équipe locale s'est imposée 24 à 18 au terme d'un match "
        "disputé. Les supporters ont envahi la pelouse au coup de sifflet final. L'entraîneur a "
        "salué l'engagement de ses joueurs et donné rendez-vous la saison prochaine pour "
        "défendre le titre.",
    ),
    (
        "https://www.bpifrance.fr/nous-decouvrir/nous-rejoindre",
        "Bpifrance recrute : rejoignez nos équipes",
        "Chaque année, nous accueillons plus de 300 nouveaux collaborateurs en CDI, en "
        "alternance et en stage. Chargés d'affaires, analystes, développeurs, juristes : "
        "découvrez nos métiers et nos engagements en matière de diversité et de qualité de vie "
        "au travail. Consultez nos offres et postulez en ligne.",
    ),
    (
        "https://www.cci.fr/mentions-legales",
        "Mentions légales",
        "Le présent site est édité par CCI France, établissement public administratif. "
        "Directeur de la publication : le président. Hébergement : société OVH, 2 rue "
        "Kellermann, Roubaix. Les données personnelles collectées font l'objet d'un traitement "
        "conforme au règlement général sur la protection des données. Vous disposez d'un droit "
        "d'accès et de rectification.",
    ),
    (
        "https://www.auvergnerhonealpes-tourisme.fr/randonnees",
        "Les plus belles randonnées du Vercors",
        "Du plateau d'Ambel aux crêtes du Grand Veymont, le Vercors offre des sentiers pour "
        "tous les niveaux. Prévoyez de bonnes chaussures et de l'eau en été. Les refuges "
        "accueillent les randonneurs de juin à septembre ; pensez à réserver. Au printemps, les "
        "prairies se couvrent de fleurs sauvages.",
    ),
]


def test_english_export_support_pages_are_kept():
    """A source's English page about export support (a credit insurer, a French chamber
    abroad) enters the journey like a French one."""
    result = classify_page(
        "https://www.businessfrance.fr/en/export-credit",
        "Export credit insurance: protect your business",
        "Our export credit insurance protects your company against the risk of non-payment by "
        "your foreign customers. We assess the solvency of your buyers, compensate you in case "
        "of default and take care of debt collection. Contact our advisers to find the solution "
        "that fits your international business and your exports.",
    )
    assert result.relevant and result.step == "gerer"


@pytest.mark.parametrize(
    ("step", "kind", "url", "title", "text"), PAGES, ids=[p[3][:40] for p in PAGES]
)
def test_step_of_realistic_pages(step, kind, url, title, text):
    result = classify_page(url, title, text)
    assert result.relevant
    assert result.step == step, result.steps


@pytest.mark.parametrize(
    ("step", "kind", "url", "title", "text"),
    [p for p in PAGES if p[1]],
    ids=[p[3][:40] for p in PAGES if p[1]],
)
def test_kind_of_realistic_pages(step, kind, url, title, text):
    assert classify_page(url, title, text).kind == kind


@pytest.mark.parametrize(("url", "title", "text"), OFF_TOPIC, ids=[p[1][:40] for p in OFF_TOPIC])
def test_off_topic_pages_are_not_relevant(url, title, text):
    result = classify_page(url, title, text)
    assert (result.relevant, result.step, result.kind) == (False, None, "other")
    assert result.steps == dict.fromkeys(STEP_IDS, 0.0)


def test_step_scores_cover_the_six_steps_and_sum_to_one():
    result = classify_page(*PAGES[0][2:])
    assert list(result.steps) == list(STEP_IDS)
    assert sum(result.steps.values()) == pytest.approx(1.0, abs=1e-3)
    assert max(result.steps, key=result.steps.get) == result.step


def test_structured_data_gives_the_kind():
    job = {"jsonld": [{"@type": "JobPosting", "title": "Chef de projet"}], "opengraph": {}}
    event = {"jsonld": [{"@context": "https://schema.org", "@type": "Event"}]}
    text = "Rejoignez notre filiale pour développer nos ventes et animer nos distributeurs."
    assert classify_page("https://x.fr/p/1", "Chef de projet", text, structured=job).kind == "vie"
    assert (
        classify_page("https://x.fr/p/1", "Chef de projet", text, structured=job).step
        == "implanter"
    )
    assert (
        classify_page("https://x.fr/p/2", "Salon de l'export", text, structured=event).kind
        == "event"
    )


def test_a_regional_source_gives_its_region():
    page = PAGES[0]
    assert classify_page(page[2], page[3], page[4], source_region="76").regions[0] == "76"


def test_pins_win_over_the_classifier(tmp_path):
    pins = tmp_path / "pins.toml"
    pins.write_text(
        """
[[pin]]
url = "https://www.cci.fr/ressources/incoterms-2020"
step = "strategie"
kind = "offer"

[[pin]]
url = "https://www.marmiton.org/recettes/blanquette"
step = "prospecter"

[[pin]]
url = "https://www.cci.fr/mentions-legales/"
kind = "contact"

[[pin]]
url = "https://www.bpifrance.fr/catalogue-offres/assurance-prospection"
step = ""
""",
        "utf-8",
    )
    classifier = Classifier(pins)
    incoterms = next(p for p in PAGES if "incoterms" in p[2])
    pinned = classifier.classify(*incoterms[2:])
    assert (pinned.step, pinned.kind, pinned.relevant) == ("strategie", "offer", True)
    assert pinned.steps["strategie"] == 1.0
    recipe = classifier.classify(*OFF_TOPIC[0])
    assert (recipe.step, recipe.relevant) == ("prospecter", True)
    legal = classifier.classify(*OFF_TOPIC[3])
    assert (legal.step, legal.kind, legal.relevant) == (None, "contact", False)
    offer = next(p for p in PAGES if "assurance-prospection" in p[2])
    off = classifier.classify(*offer[2:])
    assert (off.step, off.relevant, off.kind) == (None, False, "other")


def test_bad_pins_are_all_reported_in_french(tmp_path):
    pins = tmp_path / "pins.toml"
    pins.write_text(
        """
[[pin]]
url = "www.exemple.fr/page"
step = "vendre"

[[pin]]
url = "https://www.exemple.fr/autre"
kind = "brochure"
couleur = "rouge"
""",
        "utf-8",
    )
    with pytest.raises(ValueError) as info:
        load_pins(pins)
    assert str(info.value).splitlines() == [
        "pins.toml, ligne 3, pin « www.exemple.fr/page », url : doit être une adresse http(s)",
        "pins.toml, ligne 4, pin « www.exemple.fr/page », step : valeur inconnue « vendre » "
        '(attendu : "", diagnostic, informer, strategie, prospecter, gerer, implanter)',
        "pins.toml, ligne 8, pin « https://www.exemple.fr/autre », kind : valeur inconnue "
        "« brochure » (attendu : offer, guide, event, news, contact, country, vie, other)",
        "pins.toml, ligne 9, pin « https://www.exemple.fr/autre », couleur : clé inconnue",
    ]


def test_the_shipped_pins_file_is_valid():
    assert load_pins() == {}


def test_classify_record_output_format():
    step, _kind, url, title, text = PAGES[-1]
    out = classify_record({"id": "p1", "url": url, "title": title, "text": text})
    assert list(out) == [
        "id",
        "step",
        "steps",
        "relevant",
        "kind",
        "countries",
        "regions",
        "sectors",
    ]
    assert out["id"] == "p1" and out["step"] == step and out["relevant"] is True
    assert set(out["steps"]) == set(STEP_IDS)
    assert out["countries"] == ["US"]
    json.dumps(out)


def test_classify_record_of_an_empty_page_is_off_topic():
    out = classify_record({"id": 7, "url": "https://x.fr/", "title": "", "text": ""})
    assert (out["step"], out["relevant"], out["kind"]) == (None, False, "other")


@pytest.fixture(scope="module")
def demo_report():
    return evaluate(demo_records())


def test_demo_web_step_accuracy_and_f1(demo_report):
    assert demo_report.total == 407
    assert demo_report.accuracy >= 0.90, format_report(demo_report)
    for step, counts in demo_report.steps.items():
        assert counts.f1 >= 0.85, (step, format_report(demo_report))


def test_demo_web_relevance_countries_and_kinds(demo_report):
    report = demo_report
    assert (report.negatives, report.negatives_rejected, report.export_dropped) == (5, 5, 0), (
        format_report(report)
    )
    assert demo_report.countries.precision >= 0.95
    assert demo_report.countries.recall >= 0.90
    assert demo_report.kind_accuracy >= 0.90


def test_report_is_in_french(demo_report):
    text = format_report(demo_report)
    for words in (
        "exactitude",
        "précision",
        "rappel",
        "Matrice de confusion",
        "Hors sujet",
        "Pays",
        "Type de contenu",
    ):
        assert words in text


TEST_HALF = ROOT / "eval" / "classify" / "test.jsonl"


@pytest.fixture(scope="module")
def test_half_report():
    return evaluate(read_records(TEST_HALF))


def test_real_style_test_half_floor(test_half_report):
    """The test half of the real-style sets (written by helpers who never saw the rules, never
    tuned on): the figures asked of the classifier, with the naive baseline far below."""
    report = test_half_report
    naive = baseline(read_records(TEST_HALF))
    shown = format_report(report, naive)
    assert report.total == 295
    assert report.accuracy >= TEST_FLOORS["strict"], shown
    assert report.lenient >= TEST_FLOORS["lenient"], shown
    assert report.rejected >= TEST_FLOORS["rejected"], shown
    assert report.dropped <= TEST_FLOORS["dropped"], shown
    assert report.kind_accuracy >= TEST_FLOORS["kinds"], shown
    assert report.has_sectors and report.has_regions
    assert report.sectors.precision >= TEST_FLOORS["sector_precision"], shown
    assert report.sectors.recall >= TEST_FLOORS["sector_recall"], shown
    assert report.regions.recall >= TEST_FLOORS["region_recall"], shown
    assert report.accuracy > naive.accuracy + 0.5


@pytest.mark.parametrize(
    ("title", "url", "expected"),
    [
        (
            "Prêt Croissance International | Bpifrance",
            "https://www.bpifrance.fr/catalogue-offres/x",
            "Prêt Croissance International",
        ),
        (
            "Recruter un V.I.E. - Team France Export",
            "https://www.teamfrance-export.fr/solutions/x",
            "Recruter un V.I.E.",
        ),
        (
            "Sanctions : questions-réponses | Direction générale du Trésor",
            "https://www.tresor.economie.gouv.fr/x",
            "Sanctions : questions-réponses",
        ),
        (
            "Service économique de Rabat - Nous contacter",
            "https://www.tresor.economie.gouv.fr/x",
            "Service économique de Rabat - Nous contacter",
        ),
        ("Export - Import", "https://www.cci.fr/x", "Export - Import"),
        ("Assurance prospection", "https://www.bpifrance.fr/x", "Assurance prospection"),
    ],
)
def test_titles_lose_the_site_name_they_end_with(title, url, expected):
    assert without_site_name(title, url) == expected


def constant_model(p_relevant: float) -> Model:
    """A model that knows no word and says « relevant » with the same probability."""
    logit = math.log(p_relevant / (1 - p_relevant))
    empty = np.zeros((1, 1), dtype=np.float32)
    heads = {
        "relevant": Head(("off_topic", "relevant"), empty, np.array([logit], dtype=np.float32)),
        "step": Head(
            STEP_IDS,
            np.zeros((6, 1), dtype=np.float32),
            np.array([0, 0, 0, 0, 3, 0], dtype=np.float32),
        ),
        "kind": Head(
            ("guide", "offer"), np.zeros((2, 1), dtype=np.float32), np.zeros(2, np.float32)
        ),
    }
    return Model(["zzz"], np.ones(1, dtype=np.float32), heads)


CUSTOMS_PAGE = (
    "https://www.douane.gouv.fr/fiche/eori",
    "Obtenir un numéro EORI",
    "Le numéro EORI identifie votre entreprise auprès des douanes pour vos exportations hors "
    "de l'Union européenne. Il se demande en ligne avant le premier dédouanement.",
)


@pytest.mark.parametrize(
    ("p", "relevant", "review"), [(0.9, True, False), (0.45, False, True), (0.1, False, False)]
)
def test_the_model_s_probability_decides_in_three_bands(p, relevant, review):
    result = Classifier(model=constant_model(p)).classify(*CUSTOMS_PAGE)
    assert (result.relevant, result.review) == (relevant, review)
    assert result.confidence == pytest.approx(p if relevant else 1 - p, abs=1e-3)
    assert result.candidate == ("gerer" if review else None)
    assert (result.step is None) is (not relevant)


def test_a_page_without_export_vocabulary_is_off_topic_whatever_the_model_says():
    recipe = ("https://x.fr/tarte", "Tarte aux pommes", "Étalez la pâte, enfournez.")
    assert not Classifier(model=constant_model(0.99)).classify(*recipe).relevant


def test_the_model_file_is_in_sync_with_the_labelled_pages():
    """`portail train --check`: the committed model is what the labelled pages give."""
    from indexer.train import differences, train
    from portail_cli.evaluation import training_records

    assert differences(train(training_records())) == []
