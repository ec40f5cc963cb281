"""The real web's mess, site by site: robots rules, redirects, duplicates, traps, feeds.

Each helper takes the `SiteApp` being served. `manifest()` lists what the crawler must store
and the URLs it must never store, derived from the same rules, so the two cannot drift apart.
"""

from __future__ import annotations

import time
from html import escape
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from demo import board
from demo.offers import MANIFEST_TODAY
from demo.site import Page, Site, french_date, load_sites

if TYPE_CHECKING:
    from demo.web import DemoWeb, SiteApp

LEGAL_NOTICE = (
    "<p>Ce site de démonstration est édité pour le portail France International. Ses textes "
    "décrivent des dispositifs réels avec des mots qui lui sont propres ; les adresses, noms de "
    "personnes et numéros de téléphone sont fictifs.</p><p>Hébergement : serveur local. "
    "Directeur de la publication : l'équipe du portail.</p>"
)
TRACKING = "?utm_source=newsletter&utm_medium=email&utm_campaign=export"
CALENDAR_START = (2026, 11)
CALENDAR_FAR = 10  # months ahead of the start from which calendar pages must never be stored
SLOW_SECONDS = 1.5
ZIP_BYTES = bytes(range(256)) * 64


def robots(app: SiteApp) -> str:
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in app.site.disallow)]
    if app.site.id == "agenda":
        lines.append("Crawl-delay: 0")
    lines += ["", f"Sitemap: {app.url('/sitemap.xml')}", ""]
    return "\n".join(lines)


# Where the header's utility links lead, per site (the rest go to the legal notice).
NAV_TARGETS = {
    "bpifrance": ["/mentions-legales", "/mentions-legales", "/admin/connexion"],
    "teamfrance": ["/mentions-legales", "/espace-partenaires", "/espace-client/connexion"],
    "ccef": ["/mentions-legales", "/mentions-legales", "/espace-membres/"],
    "douane": ["/mentions-legales", "/mentions-legales", "/espace-prive/connexion"],
    "vie": ["/offres", "/entreprises/recruter-un-vie", "/"],
}


def nav_links(app: SiteApp) -> list[tuple[str, str]]:
    """The header links: boilerplate labels, pointing at the site's utility pages."""
    targets = NAV_TARGETS.get(app.site.id, [])
    return [
        (label, targets[i] if i < len(targets) else "/mentions-legales")
        for i, label in enumerate(app.site.nav)
    ]


def footer_links(app: SiteApp) -> list[tuple[str, str]]:
    links = [("Mentions légales", "/mentions-legales"), ("Accueil", "/")]
    if app.site.id == "bpifrance":
        links.append(("Recherche avancée", "/recherche?q=export"))
    if app.site.id == "teamfrance":
        links.append(("English", "/en/about-business-france"))
    return links


def feed_url(app: SiteApp) -> str | None:
    return {"bpifrance": "/actualites/rss.xml", "agenda": "/flux.atom"}.get(app.site.id)


def related(app: SiteApp, page: Page) -> list[tuple[str, str]]:
    """Three pages of the same section; some sites decorate the links with noise."""
    siblings = app.site.sections.get(page.section, [])
    if page not in siblings:
        return []
    i = siblings.index(page)
    picks = [siblings[(i + k) % len(siblings)] for k in (1, 2, 3) if len(siblings) > k]
    suffix = {"bpifrance": TRACKING, "teamfrance": "/"}.get(app.site.id, "")
    return [(p.title, p.path + suffix) for p in picks]


def home_extra(app: SiteApp) -> str:
    """Links only the home page carries: old URLs, dead links, variants, traps."""
    links: list[tuple[str, str]] = []
    site = app.site
    offers = [p for p in site.pages if p.path.startswith("/offres/")]
    if site.id == "bpifrance":
        links += [
            (f"Ancien lien : {p.title}", "/nos-offres/" + p.path.split("/", 2)[2])
            for p in offers[:3]
        ]
    elif site.id == "coface":
        links += [
            ("Notre dernière étude", "/derniere-etude"),
            ("Baromètre 2019 des risques", "/etudes/barometre-2019"),
        ]
        links += [(f"À la une : {p.title}", p.path.upper()) for p in site.pages[:3]]
    elif site.id == "teamfrance":
        links += [
            ("Ancienne rubrique", "/boucle/a"),
            ("Page supprimée", "/services/ancien-catalogue"),
        ]
    elif site.id == "douane":
        pdf = next(p for p in site.pages if p.media == "pdf")
        links += [
            (f"Télécharger : {pdf.title} (PDF)", pdf.path),
            ("Logiciel de déclaration (archive ZIP)", "/telechargements/logiciel-declaration.zip"),
        ]
    elif site.id == "agenda":
        year, month = CALENDAR_START
        links += [("Calendrier mois par mois", f"/calendrier?mois={year:04d}-{month:02d}")]
    if not links:
        return ""
    items = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in links)
    return f'<h2>Liens utiles</h2><ul class="liens-utiles">{items}</ul>'


def after_body(app: SiteApp, page: Page) -> str:
    """Per-page extra links that create duplicates (print and press versions)."""
    if app.site.id == "region-ara":
        return f'<p class="print"><a href="/imprimer{page.path}">Version imprimable</a></p>'
    if app.site.id == "region-occitanie" and page.kind == "news":
        slug = page.path.rsplit("/", 1)[1]
        return f'<p><a href="/presse/communiques/{slug}">Lire le communiqué de presse</a></p>'
    return ""


def in_sitemap(app: SiteApp, page: Page) -> bool:
    """The very large page is reachable only through links, as such pages often are; the
    V.I.E. board's sitemap is built from its live offers."""
    if app.site.board is not None:
        return app.web.is_live(app.site.id, page)
    return page.media != "big"


def maybe_slow(app: SiteApp, section: str) -> None:
    """CCI International's first listing is slow, as overloaded CMS pages are."""
    if app.site.id == "cci-international" and section == next(iter(app.site.sections)):
        time.sleep(SLOW_SECONDS)


def flaky_page(site: Site) -> Page | None:
    """The page that fails with a 500 on every other request (first try fails)."""
    if site.id != "cci-international":
        return None
    return next(p for p in site.pages if p.media == "html")


def special_route(app: SiteApp, request: Request, hits: int) -> Response | None:
    """Routes that are not plain pages: redirects, loops, feeds, binaries, traps, JS API."""
    site, path = app.site, request.path
    flaky = flaky_page(site)
    if flaky is not None and path == flaky.path and hits % 2 == 1:
        return Response("Erreur interne du serveur", status=500)
    if site.id == "bpifrance":
        if path.startswith("/nos-offres/"):
            return redirect(app.url("/offres/" + path.removeprefix("/nos-offres/")), 301)
        if path == "/actualites/rss.xml":
            return app.text(rss(app), "application/rss+xml")
        if path.startswith(("/admin/", "/recherche")):
            return app.html_page(request, None, "Espace réservé", "<p>Connexion requise.</p>")
    if site.id == "coface" and path == "/derniere-etude":
        news = sorted((p for p in site.pages if p.kind == "news"), key=lambda p: p.date)
        return redirect(app.url(news[-1].path), 302)
    if site.id == "teamfrance":
        if path in ("/boucle/a", "/boucle/b"):
            return redirect(app.url("/boucle/b" if path.endswith("a") else "/boucle/a"), 302)
        if path.startswith(("/espace-partenaires", "/espace-client")):
            return app.html_page(
                request,
                None,
                "Espace partenaires",
                "<p>Identifiez-vous pour accéder à votre espace.</p>",
            )
    if site.id == "region-ara" and path.startswith("/imprimer/"):
        page = site.by_path.get(path.removeprefix("/imprimer"))
        if page:
            response = app.content(request, page)
            return response
    if site.id == "region-occitanie" and path.startswith("/presse/communiques/"):
        slug = path.rsplit("/", 1)[1]
        page = next(
            (p for p in site.pages if p.kind == "news" and p.path.endswith("/" + slug)), None
        )
        if page:
            return press_copy(app, request, page)
    if site.id == "douane" and path == "/telechargements/logiciel-declaration.zip":
        return Response(ZIP_BYTES, mimetype="application/zip")
    if site.id == "agenda":
        if path == "/flux.atom":
            return app.text(atom(app), "application/atom+xml")
        if path == "/calendrier":
            return calendar(app, request)
    if site.board is not None:
        return board.route(app, request)
    return None


def press_copy(app: SiteApp, request: Request, page: Page) -> Response:
    """The same news item under a second URL, with no canonical link (a true duplicate)."""
    response = app.content(request, page)
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        response.set_data(html.replace(f'<link rel="canonical" href="{app.url(page.path)}">', ""))
    return response


def redirect(location: str, code: int) -> Response:
    return Response("", status=code, headers={"Location": location})


def rss(app: SiteApp) -> str:
    items = []
    for p in sorted(
        (p for p in app.site.pages if p.kind == "news"), key=lambda p: p.date, reverse=True
    ):
        items.append(
            f"<item><title>{escape(p.title)}</title><link>{app.url(p.path)}</link>"
            f"<description>{escape(p.description)}</description>"
            f"<pubDate>{p.date}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(app.site.name)}</title><link>{app.url('/')}</link>"
        f"<description>Actualités</description>{''.join(items)}</channel></rss>"
    )


def atom(app: SiteApp) -> str:
    entries = []
    for p in app.site.pages:
        if p.kind not in ("event", "news"):
            continue
        entries.append(
            f"<entry><title>{escape(p.title)}</title>"
            f'<link href="{app.url(p.path)}"/><id>{app.url(p.path)}</id>'
            f"<updated>{p.date or '2026-11-01'}T00:00:00Z</updated>"
            f"<summary>{escape(p.description)}</summary></entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(app.site.name)}</title><id>{app.url('/')}</id>"
        f"<updated>2026-11-01T00:00:00Z</updated>{''.join(entries)}</feed>"
    )


def calendar(app: SiteApp, request: Request) -> Response:
    """An endless month-by-month calendar: every month links to the next and the previous."""
    try:
        year, month = (int(x) for x in request.args.get("mois", "").split("-"))
        if not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        year, month = CALENDAR_START
    prev_m = (year - 1, 12) if month == 1 else (year, month - 1)
    next_m = (year + 1, 1) if month == 12 else (year, month + 1)
    events = [
        p
        for p in app.site.pages
        if p.event and p.event["start"].startswith(f"{year:04d}-{month:02d}")
    ]
    items = "".join(
        f'<li><a href="{p.path}">{escape(p.title)}</a> — {french_date(p.event["start"])}</li>'
        for p in events
        if p.event
    )
    label = french_date(f"{year:04d}-{month:02d}-02").split(" ", 1)[1]
    html = (
        f"<p>Les événements de {label}.</p><ul>{items or '<li>Aucun événement.</li>'}</ul>"
        f'<p><a href="/calendrier?mois={prev_m[0]:04d}-{prev_m[1]:02d}">Mois précédent</a> · '
        f'<a href="/calendrier?mois={next_m[0]:04d}-{next_m[1]:02d}">Mois suivant</a></p>'
    )
    return app.html_page(request, None, f"Calendrier : {label}", html)


# -- the manifest ------------------------------------------------------------------------


def manifest(web: DemoWeb) -> dict[str, Any]:
    """What each content page truly is, and the URLs that must never be stored. V.I.E. offers
    are dated from MANIFEST_TODAY (the manifest's `today`); closed ones must never be stored."""
    pages, never = [], []
    for site in load_sites(web.demo_dir, MANIFEST_TODAY):
        origin = web.default_origin(site.id)
        for p in site.pages:
            if p.job and site.board and not site.board.is_open(p, MANIFEST_TODAY):
                never.append(origin + p.path)
                continue
            entry: dict[str, Any] = {
                "url": origin + p.path,
                "title": p.title,
                "step": p.step or None,
                "step2": p.step2 or None,
                "kind": p.kind,
                "countries": p.countries,
                "regions": p.regions,
                "sectors": p.sectors,
                "boilerplate": site.boilerplate,
                "site": site.id,
                "date": p.date or None,
            }
            if p.event:
                entry["event"] = p.event
            if p.job:
                entry["job"] = p.job
            if p.contact:
                entry["contact"] = p.contact
            pages.append(entry)
        never += [origin + u for u in never_index(site)]
    dead = [web.default_origin(sid) + path for sid, paths in DEAD_LINKS.items() for path in paths]
    return {
        "pages": pages,
        "never_index": never,
        "dead_links": dead,
        "today": MANIFEST_TODAY.isoformat(),
    }


# The links the demo web leaves broken on purpose, as the real web does (404s, a redirect loop):
# the crawl reports them apart, as expected (`portail crawl --manifest`).
DEAD_LINKS = {
    "coface": ["/etudes/barometre-2019"],  # an old study, linked from the home page
    "teamfrance": [
        "/services/ancien-catalogue",  # a removed page, linked from the home page
        "/boucle/a",  # « Ancienne rubrique »: /boucle/a and /boucle/b redirect to each other
    ],
    "agenda": ["/evenements"],  # a listing an event's text still links to
}


def never_index(site: Site) -> list[str]:
    """Paths (with query) the crawler must never store as pages of their own."""
    out = [t for t in NAV_TARGETS.get(site.id, []) if t.startswith(tuple(site.disallow or ["\0"]))]
    offers = [p for p in site.pages if p.path.startswith("/offres/")]
    html_pages = [p for p in site.pages if p.media == "html"]
    if site.id == "bpifrance":
        out += ["/recherche?q=export"]
        out += ["/nos-offres/" + p.path.split("/", 2)[2] for p in offers[:3]]
        out += [p.path + TRACKING for p in html_pages if p.section]
    elif site.id == "coface":
        out += ["/derniere-etude", "/etudes/barometre-2019"]
        out += [p.path.upper() for p in site.pages[:3]]
    elif site.id == "teamfrance":
        out += ["/boucle/a", "/boucle/b", "/espace-partenaires", "/services/ancien-catalogue"]
        out += [p.path + "/" for p in html_pages if p.section]
    elif site.id == "region-ara":
        out += ["/imprimer" + p.path for p in html_pages]
    elif site.id == "region-occitanie":
        out += [
            "/presse/communiques/" + p.path.rsplit("/", 1)[1]
            for p in html_pages
            if p.kind == "news"
        ]
    elif site.id == "douane":
        out += ["/telechargements/logiciel-declaration.zip"]
    elif site.id == "agenda":
        year, month = CALENDAR_START
        for k in range(CALENDAR_FAR, CALENDAR_FAR + 6):
            y, m = year + (month - 1 + k) // 12, (month - 1 + k) % 12 + 1
            out.append(f"/calendrier?mois={y:04d}-{m:02d}")
    return list(dict.fromkeys(out))
