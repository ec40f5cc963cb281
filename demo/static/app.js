// The V.I.E. board renders everything in the browser from its JSON API, like the real one:
// the listing (/ and /offres, with filters and pages), each offer, and the companies' pages.
(function () {
  "use strict";
  var app = document.getElementById("app");
  if (!app) { return; }
  var SITE = " | Mon volontariat international";
  var MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
    "septembre", "octobre", "novembre", "décembre"];
  var PARAMS = ["pays", "zone", "secteur", "type", "teletravail", "page", "par_page"];
  var FACETS = [["pays", "Pays", "Tous les pays"], ["zone", "Zone", "Toutes les zones"],
    ["secteur", "Secteur", "Tous les secteurs"], ["type", "Type de mission", "V.I.E. et V.I.A."],
    ["teletravail", "Télétravail", "Indifférent"]];

  function el(tag, text, className) {
    var e = document.createElement(tag);
    if (text) { e.textContent = text; }
    if (className) { e.className = className; }
    return e;
  }
  function link(href, text) { var a = el("a", text); a.href = href; return a; }
  function frenchDate(iso) {
    var p = iso.split("-"), day = parseInt(p[2], 10);
    return (day === 1 ? "1er" : day) + " " + MONTHS[parseInt(p[1], 10) - 1] + " " + p[0];
  }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    });
  }
  function addHead(tag, attributes, text) {
    var e = document.createElement(tag);
    Object.keys(attributes).forEach(function (k) { e.setAttribute(k, attributes[k]); });
    if (text) { e.text = text; }
    document.head.appendChild(e);
  }
  function query(params, page) {
    var q = new URLSearchParams();
    PARAMS.forEach(function (k) { if (params.get(k) && k !== "page") { q.set(k, params.get(k)); } });
    if (page > 1) { q.set("page", String(page)); }
    var s = q.toString();
    return s ? "?" + s : "";
  }
  function notFound(what, why) {
    document.title = what + SITE;
    app.innerHTML = "";
    app.appendChild(el("h1", what));
    app.appendChild(el("p", why));
    app.appendChild(el("p")).appendChild(link("/offres", "Voir les offres en cours"));
  }

  // -- the listing --------------------------------------------------------------------------
  function card(o) {
    var li = el("li", "", "offre");
    li.appendChild(el("h2")).appendChild(link(o.chemin, o.titre));
    li.appendChild(el("p", o.entreprise + " — " + o.ville + ", " + o.pays.nom));
    var facts = [o.type_mission, o.duree_mois + " mois", "début le " + frenchDate(o.date_debut)];
    if (o.teletravail) { facts.push("télétravail partiel"); }
    li.appendChild(el("p", facts.join(" · "), "faits"));
    li.appendChild(el("p", "Candidatures jusqu'au " + frenchDate(o.date_limite), "limite"));
    return li;
  }
  function filters(data) {
    var form = el("form", "", "filtres");
    form.method = "get";
    form.action = "/offres";
    FACETS.forEach(function (f) {
      var label = el("label", f[1] + " ");
      var select = el("select");
      select.name = f[0];
      select.appendChild(new Option(f[2], ""));
      data.facettes[f[0]].forEach(function (v) {
        var option = new Option(v.libelle + " (" + v.nombre + ")", v.valeur);
        option.selected = data.filtres[f[0]] === v.valeur;
        select.appendChild(option);
      });
      label.appendChild(select);
      form.appendChild(label);
    });
    form.appendChild(el("button", "Filtrer")).type = "submit";
    form.addEventListener("submit", function () {
      // Unused filters stay out of the address, as on the real board.
      Array.prototype.forEach.call(form.elements, function (e) { if (e.name && !e.value) { e.disabled = true; } });
    });
    return form;
  }
  function pager(data, params) {
    var nav = el("nav", "", "pager");
    nav.setAttribute("aria-label", "Pages de résultats");
    for (var n = 1; n <= data.pages; n += 1) {
      if (n === data.page) {
        nav.appendChild(el("strong", String(n))).setAttribute("aria-current", "page");
      } else {
        nav.appendChild(link("/offres" + query(params, n), String(n)));
      }
      nav.appendChild(document.createTextNode(" "));
    }
    if (data.page < data.pages) {
      var next = nav.appendChild(link("/offres" + query(params, data.page + 1), "Page suivante"));
      next.rel = "next";
    }
    return nav;
  }
  function renderListing(data, pages, params) {
    document.title = "Offres de volontariat international" +
      (data.page > 1 ? " (page " + data.page + ")" : "") + SITE;
    app.innerHTML = "";
    app.appendChild(el("h1", "Offres de volontariat international"));
    app.appendChild(el("p", data.total + (data.total > 1 ? " offres en cours" : " offre en cours") +
      (data.pages > 1 ? ", page " + data.page + " sur " + data.pages : ""), "compte"));
    app.appendChild(filters(data));
    var list = el("ul", "", "offres");
    data.offres.forEach(function (o) { list.appendChild(card(o)); });
    app.appendChild(list);
    if (data.pages > 1) { app.appendChild(pager(data, params)); }
    var aside = el("aside", "", "entreprises");
    aside.appendChild(el("h2", "Vous êtes une entreprise ?"));
    var ul = aside.appendChild(el("ul"));
    pages.forEach(function (p) { ul.appendChild(el("li")).appendChild(link(p.path, p.title)); });
    app.appendChild(aside);
  }

  // -- one offer, one page ------------------------------------------------------------------
  function renderOffer(o) {
    document.title = o.titre + SITE;
    addHead("meta", { name: "description", content: o.resume });
    addHead("script", { type: "application/ld+json" }, JSON.stringify(o.jsonld));
    app.innerHTML = "";
    var article = app.appendChild(el("article", "", "offre-detail"));
    article.appendChild(el("h1", o.titre));
    article.appendChild(el("p", "Référence " + o.reference, "reference"));
    var dl = article.appendChild(el("dl", "", "fiche"));
    o.fiche.forEach(function (pair) {
      dl.appendChild(el("dt", pair[0]));
      dl.appendChild(el("dd", pair[1]));
    });
    var body = article.appendChild(el("div", "", "description"));
    body.innerHTML = o.description_html;
    article.appendChild(el("p")).appendChild(link("/offres", "Toutes les offres"));
  }
  function renderPage(p) {
    document.title = p.title + SITE;
    if (p.description) { addHead("meta", { name: "description", content: p.description }); }
    if (p.jsonld) { addHead("script", { type: "application/ld+json" }, p.jsonld); }
    app.innerHTML = "";
    var article = app.appendChild(el("article"));
    article.appendChild(el("h1", p.title));
    article.appendChild(el("div", "", "contenu")).innerHTML = p.html;
    article.appendChild(el("p")).appendChild(link("/offres", "Toutes les offres"));
  }

  var path = window.location.pathname;
  var params = new URLSearchParams(window.location.search);
  var offer = /^\/offres\/(vi[ea]-\d{4}-\d{4})-/.exec(path);
  if (path === "/" || path === "/offres") {
    Promise.all([getJSON("/api/offres" + query(params, parseInt(params.get("page") || "1", 10))),
      getJSON("/api/pages.json")])
      .then(function (r) { renderListing(r[0], r[1], params); })
      .catch(function () { notFound("Aucune offre à afficher", "La liste des offres est momentanément indisponible."); });
  } else if (offer) {
    getJSON("/api/offres/" + offer[1].toUpperCase())
      .then(renderOffer)
      .catch(function () {
        notFound("Offre introuvable", "Cette offre n'est plus en ligne : sa date limite est passée ou elle a été retirée.");
      });
  } else {
    getJSON("/api/page.json?path=" + encodeURIComponent(path))
      .then(renderPage)
      .catch(function () { notFound("Page introuvable", "Cette page n'existe pas ou plus."); });
  }
})();
