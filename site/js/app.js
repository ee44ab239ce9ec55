// The single-page application: sign-in, new application, live result, history, model.
import { api, session, whenUnauthorized } from "./api.js";
import { signInView } from "./signin.js";
import { applicationView } from "./application.js";
import { resultView } from "./result.js";
import { historyView } from "./history.js";
import { modelView } from "./model.js";

// Record CSP violations so tests (and curious officers) can see that there are none.
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => window.cspViolations.push(event.violatedDirective));

const view = document.getElementById("view");
const flash = document.getElementById("flash");
const nav = document.getElementById("nav");

export function say(message) { flash.textContent = message || ""; }

let stopCurrent = () => {};
async function route() {
  stopCurrent();
  stopCurrent = () => {};
  const hash = location.hash || "#/new";
  const signedIn = Boolean(session.token);
  nav.hidden = !signedIn;
  for (const link of nav.querySelectorAll("a")) {
    if (hash.startsWith(link.getAttribute("href"))) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  if (!signedIn) { render(signInView(() => { say(""); location.hash = "#/new"; route(); })); return; }
  const [, page, id] = hash.split("/");
  if (page === "result" && id) { const built = resultView(id); stopCurrent = built.stop; render(built.element); }
  else if (page === "history") render(await historyView());
  else if (page === "model") render(await modelView());
  else render(await applicationView());
}

function render(element) {
  view.replaceChildren(element);
  const heading = element.querySelector("h1");
  if (heading) { heading.tabIndex = -1; heading.focus(); }
}

whenUnauthorized((message) => { say(message); location.hash = "#/signin"; route(); });
document.getElementById("sign-out").addEventListener("click", () => {
  session.token = null;
  say("You have signed out.");
  location.hash = "#/signin";
  route();
});
window.addEventListener("hashchange", route);
route();
