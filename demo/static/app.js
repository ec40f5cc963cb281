// The V.I.E. board renders everything in the browser, like the real one does.
(function () {
  "use strict";
  var app = document.getElementById("app");
  function el(tag, text) { var e = document.createElement(tag); if (text) { e.textContent = text; } return e; }
  function link(href, text) { var a = el("a", text); a.href = href; return a; }
  function renderList(pages) {
    app.innerHTML = "";
    app.appendChild(el("h1", "Les offres de V.I.E. et les services aux entreprises"));
    var ul = el("ul");
    pages.forEach(function (p) {
      var li = el("li"); li.appendChild(link(p.path, p.title)); ul.appendChild(li);
    });
    app.appendChild(ul);
  }
  function renderPage(p) {
    document.title = p.title + " | Mon volontariat international";
    app.innerHTML = "";
    var article = el("article");
    article.appendChild(el("h1", p.title));
    var body = el("div"); body.className = "offre"; body.innerHTML = p.html;
    article.appendChild(body);
    app.appendChild(article);
    if (p.description) {
      var meta = document.createElement("meta"); meta.name = "description"; meta.content = p.description;
      document.head.appendChild(meta);
    }
    if (p.jsonld) {
      var s = document.createElement("script"); s.type = "application/ld+json"; s.text = p.jsonld;
      document.head.appendChild(s);
    }
    var back = el("p"); back.appendChild(link("/", "Toutes les offres")); app.appendChild(back);
  }
  var path = window.location.pathname;
  var api = (path === "/" || path === "/offres") ? "/api/pages.json" : "/api/page.json?path=" + encodeURIComponent(path);
  fetch(api).then(function (r) {
    if (!r.ok) { throw new Error(r.status); }
    return r.json();
  }).then(function (data) {
    if (Array.isArray(data)) { renderList(data); } else { renderPage(data); }
  }).catch(function () {
    app.innerHTML = "";
    app.appendChild(el("h1", "Offre introuvable"));
  });
})();
