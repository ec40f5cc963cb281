"""Access to the portal (issue 13): an old console cookie replayed after a logout, a new
password or the session's expiry opens nothing; a login over plain HTTP with a Secure cookie
says what to set instead of a bare 400; absolute links never copy the request's Host; HSTS
only over HTTPS, with X-Forwarded-Proto believed only from trusted proxies."""

from __future__ import annotations

import re
import time
from html import unescape
from urllib.parse import urlsplit

import pytest

from conftest import ROOT
from portail.credentials import set_admin_password
from portail.recrawl import pending
from webui import create_app

PASSWORD = "une phrase de passe assez longue"
LOGIN = "/admin/connexion"
HOSTILE = "attaquant.example"


def make_app(data, **overrides):
    config = {
        "DATA_DIR": str(data),
        "TESTING": True,
        "SOURCES_FILE": str(ROOT / "demo" / "sources.toml"),
        "TODAY": "2026-11-27",
        **overrides,
    }
    return create_app(config)


def token_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def login(client, password: str = PASSWORD, **kwargs):
    form = {"csrf_token": token_of(text(client.get(LOGIN, **kwargs))), "nom": "Camille"}
    return client.post(LOGIN, data={**form, "mot_de_passe": password}, **kwargs)


@pytest.fixture
def data(tmp_path):
    set_admin_password(tmp_path, PASSWORD)
    return tmp_path


# -- old cookies ------------------------------------------------------------------------------


def end_by_logout(client, app, data) -> None:
    form = {"csrf_token": token_of(text(client.get("/admin")))}
    assert client.post("/admin/deconnexion", data=form).status_code == 303


def end_by_new_password(client, app, data) -> None:
    set_admin_password(data, "une toute nouvelle phrase")


def end_by_expiry(client, app, data) -> None:
    hours = app.config["ADMIN_SESSION_HOURS"]
    app.extensions["store"].clock = lambda: time.time() + hours * 3600 + 1


@pytest.mark.parametrize("end", [end_by_logout, end_by_new_password, end_by_expiry])
def test_an_old_cookie_replayed_opens_neither_a_page_nor_an_action(data, end):
    app = make_app(data)
    client = app.test_client()
    assert login(client).status_code == 303
    cookie = client.get_cookie("session").value
    csrf = token_of(text(client.get("/admin/sources")))  # the form token of that session

    thief = app.test_client()  # another browser, with a copy of the cookie
    thief.set_cookie("session", cookie)
    assert thief.get("/admin/sources").status_code == 200  # the copy works while it lasts

    end(client, app, data)
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    page = thief.get("/admin/sources")
    assert page.status_code == 302 and urlsplit(page.headers["Location"]).path == LOGIN
    action = thief.post("/admin/sources/bpifrance/collecter", data={"csrf_token": csrf})
    assert action.status_code == 303 and urlsplit(action.headers["Location"]).path == LOGIN
    assert pending(data) == []


# -- a login over plain HTTP ------------------------------------------------------------------


def production(data, **overrides):
    """The app as `portail serve` makes it: neither testing nor debug, so Secure cookies."""
    return create_app({"DATA_DIR": str(data), **overrides})


def test_a_login_over_plain_http_says_to_serve_https_or_set_the_cookie_setting(data):
    app = production(data)
    browser = app.test_client(use_cookies=False)  # keeps no cookie, as over http://
    base = "http://portail.intranet.example"
    page = browser.get(LOGIN, base_url=base)
    assert "Secure" in page.headers["Set-Cookie"]
    assert "servie en HTTP" in text(page) and "PORTAIL_COOKIE_SECURE=0" in text(page)
    form = {"csrf_token": token_of(text(page)), "nom": "Camille", "mot_de_passe": PASSWORD}
    refused = browser.post(LOGIN, data=form, base_url=base)
    assert refused.status_code == 400
    body = text(refused)
    assert "servi en HTTP" in body and "HTTPS" in body
    assert "PORTAIL_COOKIE_SECURE=0" in body and "PORTAIL_TRUSTED_PROXIES" in body


def test_a_login_over_https_without_the_cookie_asks_to_allow_cookies(data):
    browser = production(data).test_client(use_cookies=False)
    base = "https://portail.intranet.example"
    page = browser.get(LOGIN, base_url=base)
    assert "servie en HTTP" not in text(page)
    form = {"csrf_token": token_of(text(page)), "nom": "Camille", "mot_de_passe": PASSWORD}
    refused = browser.post(LOGIN, data=form, base_url=base)
    assert refused.status_code == 400 and "Autorisez les cookies" in text(refused)


def test_a_stale_form_is_refused_with_a_french_reason(data):
    client = make_app(data).test_client()
    client.get(LOGIN)
    form = {"csrf_token": "un jeton périmé", "nom": "Camille", "mot_de_passe": PASSWORD}
    refused = client.post(LOGIN, data=form)
    assert refused.status_code == 400 and "a expiré" in text(refused)


def test_on_loopback_the_login_page_gives_no_https_warning(data):
    page = production(data).test_client().get(LOGIN, base_url="http://127.0.0.1:5000")
    assert page.status_code == 200 and "servie en HTTP" not in text(page)


def test_a_login_over_plain_http_works_with_the_cookie_setting(data, monkeypatch):
    monkeypatch.setenv("PORTAIL_COOKIE_SECURE", "0")
    app = production(data)
    client = app.test_client()
    base = "http://portail.intranet.example"
    assert "Secure" not in client.get(LOGIN, base_url=base).headers["Set-Cookie"]
    assert login(client, base_url=base).status_code == 303


# -- absolute links ---------------------------------------------------------------------------

# Every page or document that writes absolute links.
ABSOLUTE = [
    "/api/openapi.json",
    "/flux.atom",
    "/flux.atom?step=prospecter",
    "/agenda/flux.atom",
    "/agenda.ics",
    "/agenda.json",
    "/pays/jp",
    "/pays/jp.json",
    "/pays.json",
]


@pytest.mark.parametrize("path", ABSOLUTE)
def test_a_hostile_host_header_is_never_copied_into_links(indexed_data, path):
    for public in ("https://export.exemple.fr", None):
        client = make_app(indexed_data, PUBLIC_URL=public).test_client()
        response = client.get(path, headers={"Host": HOSTILE, "X-Forwarded-Host": HOSTILE})
        assert response.status_code == 200, (path, public)
        body = response.get_data(as_text=True)
        assert HOSTILE not in body and HOSTILE not in str(response.headers), (path, public)


def test_absolute_links_use_the_public_url(indexed_data):
    client = make_app(indexed_data, PUBLIC_URL="https://export.exemple.fr/portail/").test_client()
    api = client.get("/api/openapi.json", headers={"Host": HOSTILE}).get_json()
    assert api["servers"] == [{"url": "https://export.exemple.fr/portail"}]
    feed = client.get("/flux.atom?step=prospecter", headers={"Host": HOSTILE})
    self_link = 'href="https://export.exemple.fr/portail/flux.atom?step=prospecter"'
    assert self_link in feed.get_data(as_text=True)


def test_without_a_public_url_links_follow_a_loopback_host_and_stay_relative_otherwise(
    indexed_data, monkeypatch
):
    monkeypatch.delenv("PORTAIL_PUBLIC_URL", raising=False)
    client = make_app(indexed_data).test_client()
    local = client.get("/api/openapi.json", base_url="http://127.0.0.1:5000").get_json()
    assert local["servers"] == [{"url": "http://127.0.0.1:5000"}]
    other = client.get("/api/openapi.json", headers={"Host": HOSTILE}).get_json()
    assert other["servers"] == [{"url": "/"}]


def test_the_public_url_comes_from_the_environment_and_is_checked(tmp_path, monkeypatch):
    from webui.origin import SettingError

    monkeypatch.setenv("PORTAIL_PUBLIC_URL", "https://export.exemple.fr")
    client = make_app(tmp_path).test_client()
    server = client.get("/api/openapi.json", headers={"Host": HOSTILE}).get_json()["servers"]
    assert server == [{"url": "https://export.exemple.fr"}]
    for wrong in ("export.exemple.fr", "ftp://x.fr", "https://x.fr/?a=1", "https://x .fr"):
        monkeypatch.setenv("PORTAIL_PUBLIC_URL", wrong)
        with pytest.raises(SettingError, match="PORTAIL_PUBLIC_URL"):
            make_app(tmp_path)


# -- HTTPS and proxies ------------------------------------------------------------------------

HSTS = "Strict-Transport-Security"


def test_hsts_is_sent_over_https_and_never_over_plain_http(tmp_path):
    client = make_app(tmp_path).test_client()
    secure = client.get("/", base_url="https://export.exemple.fr")
    assert secure.headers[HSTS] == "max-age=31536000"
    assert HSTS not in client.get("/", base_url="http://export.exemple.fr").headers
    off = make_app(tmp_path, HSTS_SECONDS=0).test_client()
    assert HSTS not in off.get("/", base_url="https://export.exemple.fr").headers


def test_forwarded_headers_are_believed_only_from_trusted_proxies(tmp_path, monkeypatch):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    direct = make_app(tmp_path).test_client()
    assert HSTS not in direct.get("/", headers=forwarded).headers
    monkeypatch.setenv("PORTAIL_TRUSTED_PROXIES", "1")
    app = make_app(tmp_path)
    behind = app.test_client()
    assert behind.get("/", headers=forwarded).headers[HSTS] == "max-age=31536000"
    assert HSTS not in behind.get("/").headers  # the proxy said nothing: plain HTTP


def test_behind_a_trusted_proxy_failed_logins_are_counted_per_client(data):
    app = make_app(data, TRUSTED_PROXIES=1, ADMIN_LOGIN_ATTEMPTS=2)
    client = app.test_client()
    first = {"X-Forwarded-For": "198.51.100.7"}
    for _ in range(2):
        assert login(client, "pas le bon", headers=first).status_code == 403
    assert login(client, headers=first).status_code == 429
    assert login(client, headers={"X-Forwarded-For": "198.51.100.8"}).status_code == 303
