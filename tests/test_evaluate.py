"""Evaluation of the classifier: labelled records, the report's figures, its French text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from demo.records import demo_records
from indexer.classify import classify_page
from indexer.evaluate import (
    STEP_NAMES,
    Counts,
    baseline,
    confusion_lines,
    evaluate,
    format_report,
    read_records,
)

ROOT = Path(__file__).resolve().parent.parent

CUSTOMS = {
    "id": "a",
    "url": "https://www.douane.gouv.fr/fiche/eori",
    "title": "Obtenir un numéro EORI",
    "text": "Le numéro EORI identifie votre entreprise auprès des douanes. Il figure sur "
    "chaque déclaration en douane et se demande en ligne avant le dédouanement "
    "de votre première exportation hors de l'Union européenne.",
    "step": "gerer",
    "relevant": True,
    "kind": "guide",
    "countries": [],
    "regions": [],
}
FAIR = {
    "id": "b",
    "url": "https://www.businessfrance.fr/evenements/prowein-2027",
    "title": "ProWein 2027 : le Pavillon France à Düsseldorf",
    "text": "Du 14 au 16 mars 2027, exposez sur le Pavillon France du salon ProWein et "
    "rencontrez des importateurs et des distributeurs de vins du monde entier. "
    "Inscriptions avant le 30 septembre.",
    "step": "prospecter",
    "relevant": True,
    "kind": "event",
    "countries": ["DE"],
    "regions": [],
}
RECIPE = {
    "id": "c",
    "url": "https://www.exemple.fr/recette",
    "title": "Tarte aux pommes",
    "text": "Étalez la pâte, disposez les pommes en rosace et enfournez trente minutes.",
    "step": None,
    "relevant": False,
    "kind": "other",
    "countries": [],
    "regions": [],
}


def test_demo_records_mirror_the_manifest():
    records = demo_records()
    manifest = json.loads((ROOT / "demo" / "manifest.json").read_text("utf-8"))["pages"]
    assert [r["url"] for r in records] == [p["url"] for p in manifest]
    for record, page in zip(records, manifest, strict=True):
        assert (
            record["step"],
            record["step2"],
            record["kind"],
            record["countries"],
            record["regions"],
        ) == (page["step"], page["step2"], page["kind"], page["countries"], page["regions"])
        assert record["text"] and record["title"] == page["title"]
        assert record["relevant"] is (page["step"] is not None)


def test_demo_records_carry_what_the_crawler_stores():
    records = {r["url"]: r for r in demo_records()}
    job = next(r for url, r in records.items() if ":8811/offres/vie-" in url)
    assert job["structured"]["jsonld"][0]["@type"] == "JobPosting"
    assert records["http://127.0.0.1:8804/dispositifs/cheque-export"]["source_region"] == "84"
    assert "## " not in job["text"] and "](" not in job["text"]


def test_evaluate_counts_steps_relevance_countries_and_kinds():
    report = evaluate([CUSTOMS, FAIR, RECIPE])
    assert (report.total, report.export_pages, report.step_correct, report.accuracy) == (
        3,
        2,
        2,
        1.0,
    )
    assert report.steps["gerer"].f1 == 1.0 and report.steps["prospecter"].f1 == 1.0
    assert report.confusion[("hors sujet", "hors sujet")] == 1
    assert (report.negatives, report.negatives_rejected, report.export_dropped) == (1, 1, 0)
    assert (report.countries.tp, report.countries.fp) == (1, 0)
    assert report.kind_accuracy == 1.0
    assert report.errors == []


def test_a_defensible_second_step_counts_in_the_lenient_accuracy():
    report = evaluate([dict(CUSTOMS, step="strategie", step2="gerer")])
    assert (report.accuracy, report.lenient) == (0.0, 1.0)


def test_the_naive_baseline_takes_every_page_and_the_commonest_step():
    report = baseline([CUSTOMS, dict(FAIR, step="gerer"), RECIPE])
    assert (report.accuracy, report.rejected, report.dropped) == (1.0, 0.0, 0.0)


def test_evaluate_lists_step_errors():
    wrong = dict(CUSTOMS, step="implanter")
    report = evaluate([wrong])
    assert report.accuracy == 0.0
    assert report.steps["implanter"].recall == 0.0 and report.steps["gerer"].precision == 0.0
    assert report.errors == [
        f"{CUSTOMS['id']} : attendu implanter, trouvé gerer — {CUSTOMS['title']}"
    ]
    assert "Erreurs d'étape (1)" in format_report(report)


def test_evaluate_lists_kind_errors():
    wrong = dict(CUSTOMS, kind="event")
    report = evaluate([wrong])
    assert report.kind_accuracy == 0.0
    found = classify_page(CUSTOMS["url"], CUSTOMS["title"], CUSTOMS["text"]).kind
    assert report.kind_errors == [
        f"{CUSTOMS['id']} : attendu event, trouvé {found} — {CUSTOMS['title']}"
    ]
    assert "Erreurs de type (1)" in format_report(report)


@pytest.mark.parametrize(
    ("counts", "precision", "recall", "f1"),
    [
        (Counts(8, 2, 0), 0.8, 1.0, 8 / 9),
        (Counts(0, 0, 0), 1.0, 1.0, 1.0),
        (Counts(0, 3, 3), 0.0, 0.0, 0.0),
    ],
)
def test_precision_recall_f1(counts, precision, recall, f1):
    assert (counts.precision, counts.recall) == (precision, recall)
    assert counts.f1 == pytest.approx(f1)


def test_labelled_records_read_json_lines(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps(CUSTOMS) + "\n\n" + json.dumps(RECIPE) + "\n", "utf-8")
    assert [r["id"] for r in read_records(path)] == ["a", "c"]


def test_format_report_in_french():
    records = [CUSTOMS, FAIR, RECIPE]
    text = format_report(evaluate(records), baseline(records))
    assert text.startswith("Pages évaluées : 3 (2 pages export, 1 hors sujet)")
    assert "Étape : exactitude 100,0 % (2/2), tolérante 100,0 %" in text
    assert "référence naïve" in text
    assert "Hors sujet : 1 écartée sur 1 (100,0 %)" in text
    assert "Régions : précision" in text
    assert "Type de contenu : exactitude 100,0 % (2/2)" in text
    assert "." not in "".join(re.findall(r"[\d.,]+ %", text))
    one = format_report(evaluate([CUSTOMS]))
    assert one.startswith("Pages évaluées : 1 (1 page export, 0 hors sujet)")


def test_the_confusion_matrix_names_the_steps_in_full():
    report = evaluate([CUSTOMS, dict(FAIR, step="strategie"), RECIPE])
    head, *rows = confusion_lines(report)[1:]
    assert head.split() == [*STEP_NAMES.values(), "hors", "sujet"]
    assert [row.split()[0] for row in rows] == [*STEP_NAMES.values(), "hors"]
    assert "stratégie" in STEP_NAMES.values() and "prospecter" in STEP_NAMES.values()
    strategy = rows[list(STEP_NAMES).index("strategie")].split()[1:]
    assert strategy[list(STEP_NAMES).index("prospecter")] == "1"


def test_eval_command_reads_a_labelled_file_and_explains_a_bad_one(tmp_path):
    from conftest import run_portail

    good = tmp_path / "good.jsonl"
    record = dict(CUSTOMS, sectors=[])
    good.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    done = run_portail("eval", str(good), data=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"== {good} : 1 page\n" in done.stdout and "Étape (stricte)" in done.stdout
    assert "référence naïve" in done.stdout and "100,0 %" in done.stdout
    # Without --detail: the matrix, the regions and the sectors are printed with the figures.
    assert "Matrice de confusion" in done.stdout and "stratégie" in done.stdout
    assert "Régions : précision" in done.stdout and "Secteurs : précision" in done.stdout
    assert "Erreurs" not in done.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{pas du json\n", encoding="utf-8")
    done = run_portail("eval", str(bad), data=tmp_path)
    assert done.returncode == 1 and "JSON invalide" in done.stderr
    assert "Traceback" not in done.stderr
    done = run_portail("eval", str(tmp_path / "absent.jsonl"), data=tmp_path)
    assert done.returncode != 0 and "Traceback" not in done.stderr


def test_sectors_are_measured_on_every_page_and_on_the_pages_shown():
    fair = dict(FAIR, sectors=["vins-spiritueux"])
    # An off-topic page about food: the rules may tag it, but it is never listed.
    market = dict(
        RECIPE,
        title="Agroalimentaire : le marché français des produits laitiers",
        text="Les ventes de fromages et de produits laitiers en grande surface en France.",
        sectors=[],
    )
    report = evaluate([fair, market])
    assert report.shown_sectors.tp == report.sectors.tp == 1
    assert report.sectors.fp == 1 and report.shown_sectors.fp == 0
    assert "sur les pages que le portail montre" in format_report(report)
