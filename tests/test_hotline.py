"""The export hotline's core: SIREN numbers, working days, routing rules, settings, and the
life of a request in the data layer (SQLite and PostgreSQL), with an injected clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from conftest import run_portail
from portail.db import open_store
from portail.hotline import service
from portail.hotline.routing import (
    HOTLINE_FILE,
    STEPS,
    Question,
    load_routing,
    routing,
)
from portail.hotline.settings import load_settings
from portail.hotline.siren import luhn_valid, siren_problem
from portail.hotline.workdays import add_working_days, is_working_day
from portail.schema import DataError

PARIS_MORNING = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 2 March 2026, 10:00 in Paris

# -- SIREN -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["552100554", "552 100 554", "552.100.554", "732829320", "356000000", "443061841"],
)
def test_real_siren_numbers_are_accepted(value):
    assert siren_problem(value) is None


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("552100555", "clé de contrôle"),
        ("123456789", "clé de contrôle"),
        ("000000000", "n'existe pas"),
        ("55210055", "9 chiffres (vous en avez saisi 8)"),
        ("55210055400013", "SIRET"),
        ("55210055A", "que des chiffres"),
        ("５５２１００５５４", "que des chiffres"),  # full-width digits are not a SIREN
    ],
)
def test_wrong_siren_numbers_are_explained_in_french(value, said):
    assert said in siren_problem(value)


def test_luhn_doubles_every_second_digit_from_the_right():
    assert luhn_valid("79927398713")  # the textbook example
    assert not luhn_valid("79927398710")


# -- working days ----------------------------------------------------------------------------


def test_public_holidays_and_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 5, 1))  # Fête du travail
    assert not is_working_day(date(2026, 5, 14))  # Ascension
    assert not is_working_day(date(2026, 7, 14))
    assert not is_working_day(date(2026, 3, 7))  # a Saturday
    assert is_working_day(date(2026, 3, 6))


def test_three_working_days_skip_a_public_holiday():
    thursday = datetime(2026, 4, 30, 8, 0, tzinfo=UTC)  # 10:00 in Paris, 1 May is a Friday
    assert add_working_days(thursday, 3) == datetime(2026, 5, 6, 8, 0, tzinfo=UTC)


def test_a_request_sent_on_saturday_counts_from_monday():
    saturday = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
    assert add_working_days(saturday, 3) == datetime(2026, 3, 11, 23, 0, tzinfo=UTC)


# -- routing ---------------------------------------------------------------------------------


def test_the_repository_routing_file_is_valid_and_its_steps_are_the_journey():
    from indexer.journey import STEP_IDS

    assert STEPS == STEP_IDS
    rules = routing()
    assert "national" in rules.desks and rules.rules


@pytest.mark.parametrize(
    ("subject", "step", "country", "region", "desk", "rule"),
    [
        ("financement", "strategie", "", "53", "bpifrance-53", "financement"),
        ("financement", "prospecter", "US", "11", "bpifrance-11", "financement"),
        ("douane", "gerer", "GB", "32", "douane-32", "douane"),
        ("formalites", "gerer", "", "84", "cci-84", "formalites"),
        ("marche", "informer", "DE", "84", "etranger-de", "marche-pays"),
        ("prospection", "prospecter", "JP", "93", "etranger-jp", "marche-pays"),
        # no country: the regional adviser, not the office abroad
        ("prospection", "prospecter", "", "93", "tfe-93", "conseiller-regional"),
        # a country, but the step is the diagnostic: still the regional adviser
        ("marche", "diagnostic", "CN", "75", "tfe-75", "conseiller-regional"),
        ("implantation", "inconnue", "CA", "44", "etranger-ca", "implantation-pays"),
        ("autre", "diagnostic", "", "01", "tfe-01", "diagnostic"),
        ("autre", "gerer", "BR", "52", "national", ""),
    ],
)
def test_requests_are_routed_by_subject_step_country_and_region(
    subject, step, country, region, desk, rule
):
    decision = routing().route(Question(subject, step, country, region))
    assert (decision.desk, decision.rule) == (desk, rule)
    assert decision.because and decision.name


def test_the_national_desk_explains_why_it_takes_what_nothing_matches():
    decision = routing().route(Question("autre", "gerer", "", "11"))
    assert decision.name.startswith("l'équipe nationale")
    assert "aucun guichet spécialisé" in decision.because


def test_desk_names_say_the_region_and_the_country():
    rules = routing()
    assert "Bretagne" in rules.desk_name("tfe-53")
    assert "« Allemagne »" in rules.desk_name("etranger-de")
    assert rules.desk_name("national").startswith("l'équipe nationale")


def write_rules(tmp_path, rules: str):
    text = HOTLINE_FILE.read_text("utf-8")
    head = text[: text.index("\n[[rule]]")]
    path = tmp_path / "hotline.toml"
    path.write_text(head + rules, "utf-8")
    return path


def test_region_and_country_conditions_select_a_rule(tmp_path):
    path = write_rules(
        tmp_path,
        """
[[rule]]
id = "bretagne-japon"
regions = ["53"]
countries = ["JP"]
desk = "cci"
because = "essai"

[[rule]]
id = "tout"
desk = "tfe"
because = "essai"
""",
    )
    rules = load_routing(path)
    assert rules.route(Question("autre", "gerer", "JP", "53")).desk == "cci-53"
    assert rules.route(Question("autre", "gerer", "JP", "52")).desk == "tfe-52"
    assert rules.route(Question("autre", "gerer", "", "53")).desk == "tfe-53"


def test_rule_errors_are_reported_with_their_line_and_key(tmp_path):
    path = write_rules(
        tmp_path,
        """
[[rule]]
id = "faux"
subjects = ["finance"]
steps = ["prospection"]
countries = ["XX"]
desk = "bpi"
because = "essai"
""",
    )
    with pytest.raises(DataError) as caught:
        load_routing(path)
    text = "\n".join(caught.value.errors)
    assert "rule « faux », steps[0] : valeur inconnue « prospection »" in text
    assert "code de pays ISO inconnu « XX »" in text
    assert all("hotline.toml, ligne" in line for line in caught.value.errors)


def test_rules_naming_unknown_desks_and_subjects_are_refused(tmp_path):
    path = write_rules(
        tmp_path,
        '\n[[rule]]\nid = "faux"\nsubjects = ["finance"]\ndesk = "bpi"\nbecause = "essai"\n',
    )
    with pytest.raises(DataError) as caught:
        load_routing(path)
    text = "\n".join(caught.value.errors)
    assert "guichet inconnu « bpi »" in text and "objet inconnu « finance »" in text


# -- settings --------------------------------------------------------------------------------


def test_settings_give_each_desk_its_address_with_fallbacks(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAIL_SMTP_HOST", raising=False)
    (tmp_path / "hotline-settings.toml").write_text(
        'retention_days = 30\n[smtp]\nhost = "127.0.0.1"\nport = 2525\nsender = "h@ex.fr"\n'
        '[addresses]\n"tfe-53" = "bzh@ex.fr"\nbpifrance = "bpi@ex.fr"\ndefault = "all@ex.fr"\n',
        "utf-8",
    )
    settings = load_settings(tmp_path)
    assert settings.smtp.configured and settings.retention_days == 30
    assert settings.address("tfe-53") == "bzh@ex.fr"
    assert settings.address("bpifrance-84") == "bpi@ex.fr"
    assert settings.address("etranger-de") == "all@ex.fr"
    monkeypatch.setenv("PORTAIL_SMTP_PORT", "2626")
    assert load_settings(tmp_path).smtp.port == 2626


def test_bad_settings_are_said_by_portail_data_check(tmp_path):
    data = tmp_path / "var"
    data.mkdir()
    (data / "hotline-settings.toml").write_text(
        '[smtp]\nhots = "x"\n[addresses]\nnational = "pas-une-adresse"\n', "utf-8"
    )
    result = run_portail("data", "check", data=data)
    assert result.returncode == 2
    assert "ligne 2, [smtp], hots : clé inconnue (vouliez-vous dire « host » ?)" in result.stderr
    assert "« pas-une-adresse » n'est pas une adresse électronique" in result.stderr


# -- the life of a request, on both databases ------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, monkeypatch):
    if request.param == "postgresql":
        monkeypatch.setenv("PORTAIL_DATABASE_URL", request.getfixturevalue("postgres_url"))
    else:
        monkeypatch.delenv("PORTAIL_DATABASE_URL", raising=False)
    opened = open_store(tmp_path / "var")
    yield opened
    opened.close()


LABELS = {"subject": routing().subjects, "step": {}, "size": routing().sizes, "sector": {}}


def submission(**changes) -> service.Submission:
    values = {
        "subject": "financement",
        "step": "strategie",
        "country": "",
        "message": "Nous cherchons à financer un salon au Canada.",
        "siren": "552100554",
        "size": "pme",
        "sector": "agroalimentaire",
        "region": "53",
        "postcode": "29200",
        "name": "Jeanne Essai",
        "email": "jeanne@example.org",
        "phone": "",
    }
    return service.Submission(**{**values, **changes})


def submit(store, at=PARIS_MORNING, **changes) -> service.Submitted:
    return service.submit(
        store, routing(), submission(**changes), LABELS, lambda t: f"http://portail/suivi/{t}", at
    )


def test_a_request_is_stored_with_its_history_and_both_mails_at_once(store):
    done = submit(store)
    row = store.hotline_request(done.reference)
    assert row["status"] == "nouvelle" and row["desk"] == "bpifrance-53"
    assert row["token_hash"] == service.token_hash(done.token) != done.token
    assert store.hotline_request_by_token(service.token_hash(done.token))["id"] == row["id"]
    assert [e["kind"] for e in store.hotline_history(row["id"])] == ["created"]
    mails = store.outbox(request_id=row["id"])
    assert [(m["kind"], m["to_address"], m["to_desk"]) for m in mails] == [
        ("receipt", "jeanne@example.org", ""),
        ("desk", "", "bpifrance-53"),
    ]
    assert done.token in mails[0]["body"] and done.reference in mails[0]["subject"]
    assert "Jeanne Essai" in mails[1]["body"] and done.token not in mails[1]["body"]
    assert len({m["message_id"] for m in mails}) == 2


def test_references_are_readable_and_a_taken_one_is_drawn_again(store, monkeypatch):
    first = submit(store)
    assert first.reference.startswith("HL-2026-") and len(first.reference) == 13
    assert not set(first.reference[8:]) & set("ILOU")
    draws = iter([first.reference, first.reference, "HL-2026-ZZZZZ"])
    monkeypatch.setattr(service, "new_reference", lambda at: next(draws))
    assert submit(store).reference == "HL-2026-ZZZZZ"


def test_an_answer_closes_the_loop_and_mails_the_requester(store):
    done = submit(store)
    row = store.hotline_request(done.reference)
    later = PARIS_MORNING + timedelta(hours=2)
    assert service.assign(store, routing(), row, "Anne Conseil", "", "Anne", LABELS, later)
    row = store.hotline_request(done.reference)
    assert (row["status"], row["owner"]) == ("prise_en_charge", "Anne Conseil")
    assert service.answer(store, row, "Voici nos prêts à l'export.", "Anne", later)
    row = store.hotline_request(done.reference)
    assert row["status"] == "repondue" and row["answered"]
    answer = store.outbox(request_id=row["id"])[-1]
    assert answer["kind"] == "answer" and "Voici nos prêts" in answer["body"]
    kinds = [e["kind"] for e in store.hotline_history(row["id"])]
    assert kinds == ["created", "assigned", "answered"]
    assert service.follow_up(store, routing(), later + timedelta(days=30)) == {
        "reminded": 0,
        "escalated": 0,
    }


def test_a_desk_is_reminded_after_3_working_days_and_the_national_desk_told_after_7(store):
    done = submit(store)  # Monday 10:00
    rules = routing()
    assert service.follow_up(store, rules, datetime(2026, 3, 5, 8, 59, tzinfo=UTC)) == {
        "reminded": 0,
        "escalated": 0,
    }
    thursday = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    assert service.follow_up(store, rules, thursday)["reminded"] == 1
    assert service.follow_up(store, rules, thursday + timedelta(hours=1))["reminded"] == 0
    tuesday = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
    assert service.follow_up(store, rules, tuesday) == {"reminded": 0, "escalated": 0}
    wednesday = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    assert service.follow_up(store, rules, wednesday)["escalated"] == 1
    assert service.follow_up(store, rules, wednesday + timedelta(days=9))["escalated"] == 0
    row = store.hotline_request(done.reference)
    mails = store.outbox(request_id=row["id"])
    assert [(m["kind"], m["to_desk"]) for m in mails[2:]] == [
        ("reminder", "bpifrance-53"),
        ("escalation", "national"),
    ]
    assert "transmise à Bpifrance" in mails[3]["body"]
    assert "malgré une relance" in mails[3]["body"]


def test_a_late_request_is_escalated_once_without_a_reminder_first(store):
    done = submit(store)
    later = PARIS_MORNING + timedelta(days=30)
    assert service.follow_up(store, routing(), later) == {"reminded": 0, "escalated": 1}
    assert service.follow_up(store, routing(), later) == {"reminded": 0, "escalated": 0}
    escalation = store.outbox(request_id=store.hotline_request(done.reference)["id"])[-1]
    assert escalation["kind"] == "escalation" and "relance" not in escalation["body"]
    assert "sans réponse depuis 7 jours\nouvrés." in escalation["body"]


@pytest.mark.parametrize("how", ["assign", "not_for_me"])
def test_a_request_passed_on_gives_its_new_desk_3_working_days(store, how):
    done = submit(store)  # Monday 2 March, 10:00 in Paris, to bpifrance-53
    row = store.hotline_request(done.reference)
    rules = routing()
    wednesday = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # 2 working days later
    if how == "assign":
        assert service.assign(store, rules, row, "", "cci-53", "Anne", LABELS, wednesday)
    else:
        assert service.not_for_me(store, row, "mal-orientee", "Bpi", LABELS, wednesday)
    desk = store.hotline_request(done.reference)["desk"]
    thursday = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)  # 3 working days after the creation
    assert service.follow_up(store, rules, thursday) == {"reminded": 0, "escalated": 0}
    monday = datetime(2026, 3, 9, 8, 59, tzinfo=UTC)  # not quite 3 after the hand-over
    assert service.follow_up(store, rules, monday) == {"reminded": 0, "escalated": 0}
    assert service.follow_up(store, rules, monday + timedelta(minutes=1))["reminded"] == 1
    reminder = store.outbox(request_id=row["id"])[-1]
    assert (reminder["kind"], reminder["to_desk"]) == ("reminder", desk)


def test_a_desk_reminded_then_relieved_leaves_the_next_one_its_own_reminder(store):
    done = submit(store)
    rules = routing()
    thursday = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    assert service.follow_up(store, rules, thursday)["reminded"] == 1
    row = store.hotline_request(done.reference)
    passed_on = thursday + timedelta(hours=1)
    assert service.assign(store, rules, row, "", "cci-53", "Anne", LABELS, passed_on)
    tuesday = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # 3 working days after the hand-over
    assert service.follow_up(store, rules, tuesday - timedelta(minutes=1))["reminded"] == 0
    assert service.follow_up(store, rules, tuesday) == {"reminded": 1, "escalated": 0}
    wednesday = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)  # 7 working days after the creation
    assert service.follow_up(store, rules, wednesday) == {"reminded": 0, "escalated": 1}
    mails = store.outbox(request_id=row["id"])
    assert [(m["kind"], m["to_desk"]) for m in mails[2:]] == [
        ("reminder", "bpifrance-53"),
        ("desk", "cci-53"),
        ("reminder", "cci-53"),
        ("escalation", "national"),
    ]
    assert "malgré une relance" in mails[-1]["body"]


def test_not_for_me_sends_the_request_back_and_counts_the_reason(store):
    done = submit(store)
    row = store.hotline_request(done.reference)
    at = PARIS_MORNING + timedelta(hours=1)
    assert service.not_for_me(store, row, "mal-orientee", "Bpi", LABELS, at)
    row = store.hotline_request(done.reference)
    assert (row["status"], row["desk"]) == ("pas_pour_moi", "national")
    assert store.outbox(request_id=row["id"])[-1]["to_desk"] == "national"
    other = store.hotline_request(submit(store).reference)
    assert service.close(store, other, "doublon", "même demande que la précédente", "Anne", at)
    counts = {(r["kind"], r["reason"], r["rule"]): r["n"] for r in store.hotline_reason_counts()}
    assert counts == {
        ("not_for_me", "mal-orientee", "financement"): 1,
        ("closed", "doublon", "financement"): 1,
    }


def test_erasing_a_request_keeps_its_counts_and_cancels_its_unsent_mails(store):
    done = submit(store)
    row = store.hotline_request(done.reference)
    service.answer(store, row, "Réponse avec le nom de Jeanne.", "Anne", PARIS_MORNING)
    assert service.erase(store, row, "Anne", "à la demande de la personne", PARIS_MORNING)
    row = store.hotline_request(done.reference)
    assert row["erased"] and row["email"] == row["name"] == row["message"] == row["siren"] == ""
    assert (row["subject"], row["region"], row["status"]) == ("financement", "53", "repondue")
    mails = store.outbox(request_id=row["id"])
    assert {m["status"] for m in mails} == {"cancelled"}
    assert all("Jeanne" not in m["body"] and m["to_address"] == "" for m in mails)
    history = store.hotline_history(row["id"])
    assert all("Jeanne" not in e["detail"] for e in history)
    assert history[-1]["kind"] == "erased"
    assert store.hotline_counts("status") == {"repondue": 1}
    assert not service.erase(store, row, "Anne", "deux fois", PARIS_MORNING)


def test_the_purge_erases_requests_past_the_retention_only(store):
    old = submit(store, at=PARIS_MORNING - timedelta(days=400))
    recent = submit(store, at=PARIS_MORNING - timedelta(days=10))
    assert service.purge(store, 365, PARIS_MORNING) == 1
    assert store.hotline_request(old.reference)["erased"]
    assert store.hotline_request(recent.reference)["email"] == "jeanne@example.org"
    assert service.purge(store, 365, PARIS_MORNING) == 0


def test_rate_limit_counts_forget_old_submissions(store):
    store.record_hotline_submission("a", at=1000.0)
    store.record_hotline_submission("a", at=2000.0)
    store.record_hotline_submission("b", at=2000.0)
    assert store.hotline_submissions("a", 3600, at=3000.0) == 2
    assert store.hotline_submissions("a", 1500, at=3000.0) == 1
    assert store.hotline_submissions("a", 3600, at=1_000_000.0) == 0


def test_two_senders_never_claim_the_same_mail(store):
    submit(store)
    at = service.stamp(PARIS_MORNING)
    lease = service.stamp(PARIS_MORNING - timedelta(minutes=10))
    first = store.claim_outbox(at, lease)
    assert len(first) == 2 and {r["status"] for r in first} == {"sending"}
    assert store.claim_outbox(at, lease) == []
    # a dead sender's claim expires: the mails are due again (nothing was transmitted)
    later = PARIS_MORNING + timedelta(minutes=11)
    again = store.claim_outbox(service.stamp(later), service.stamp(later - timedelta(minutes=10)))
    assert [r["id"] for r in again] == [r["id"] for r in first]
    assert {r["attempts"] for r in again} == {2}
