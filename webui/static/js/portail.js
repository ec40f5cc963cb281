// Controls that only work with JavaScript (the display settings) are hidden in the HTML and
// shown here, before the DSFR's script starts, so that pages without JavaScript never offer a
// button that does nothing.
for (const element of document.querySelectorAll("[data-portail-js]")) {
  element.hidden = false;
}

// The self-assessment: a question that an answer of the same page makes moot is shown or
// hidden as that answer changes (without script, the page comes back with it after sending).
for (const branch of document.querySelectorAll("[data-portail-when]")) {
  const name = branch.dataset.portailWhen;
  const unless = branch.dataset.portailUnless.split(" ");
  const update = () => {
    const chosen = document.querySelector(`input[name="${name}"]:checked`);
    branch.hidden = !chosen || unless.includes(chosen.value);
  };
  for (const input of document.querySelectorAll(`input[name="${name}"]`)) {
    input.addEventListener("change", update);
  }
}

// « Imprimer ce résultat »
for (const button of document.querySelectorAll("[data-portail-print]")) {
  button.addEventListener("click", () => window.print());
}
