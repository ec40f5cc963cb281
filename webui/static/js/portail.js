// Controls that only work with JavaScript (the display settings) are hidden in the HTML and
// shown here, before the DSFR's script starts, so that pages without JavaScript never offer a
// button that does nothing.
for (const element of document.querySelectorAll("[data-portail-js]")) {
  element.hidden = false;
}
