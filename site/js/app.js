// The single-page application: sign-in, new application, live result, history, model.
import { api, can, session, whenUnauthorized } from "./api.js";
import { chooseLanguage, chosenInThisBrowser, currentLanguage, loadLanguage, t } from "./i18n.js";
import { signInView } from "./signin.js";
import { applicationView, clearDraft } from "./application.js";
import { prefetchResultData, resultView } from "./result.js";
import { historyView } from "./history.js";
import { modelView } from "./model.js";
import { batchView } from "./batch.js";
import { reviewsView } from "./reviews.js";
import { accountsView } from "./accounts.js";
import { accountView } from "./account.js";
import { auditView } from "./audit.js";

// Record CSP violations so tests (and curious officers) can see that there are none.
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => window.cspViolations.push(event.violatedDirective));

const view = document.getElementById("view");
const flash = document.getElementById("flash");
const nav = document.getElementById("nav");
const languageSwitch = document.getElementById("language");
const pages = ["new", "result", "history", "batch", "model", "reviews", "accounts", "audit", "account"];
// Pages only some roles are offered (the API refuses the others anyway).
const needs = { reviews: "reviewer", accounts: "admin", audit: "admin" };

// A message belongs to the view it was given for; it is cleared when the officer moves on.
let flashFor = null;
export function say(message) {
  flash.textContent = message || "";
  flashFor = message ? location.hash : null;
}

/** The words of the page's fixed parts (header, menu), in the page's language. */
function translateStatic() {
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of document.querySelectorAll("[data-i18n-label]")) element.setAttribute("aria-label", t(element.dataset.i18nLabel));
  languageSwitch.value = currentLanguage();
}

let stopCurrent = () => {};
// Each navigation counts; a view that finishes loading after a later navigation is dropped.
let routeGeneration = 0;
async function route() {
  const generation = ++routeGeneration;
  stopCurrent();
  stopCurrent = () => {};
  if (flashFor !== null && flashFor !== location.hash) say("");
  const hash = location.hash || "#/new";
  const signedIn = Boolean(session.token);
  nav.hidden = !signedIn;
  for (const link of nav.querySelectorAll("a[data-role]")) link.hidden = !can(link.dataset.role);
  // The current page: the link whose page the address names (#/account is not #/accounts).
  const current = hash.split("/")[1] || "new";
  for (const link of nav.querySelectorAll("a")) {
    if (link.getAttribute("href").split("/")[1] === current) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  if (!signedIn) {
    // Whatever page was asked for (a bookmark, a link, the page a session ended on) stays in
    // the address: after signing in the officer lands on it, a draft form restored.
    document.title = `${t("title.signin")} — ${t("brand")}`;
    render(signInView(async () => {
      if (flashFor !== null) say("");
      // A language chosen on this browser (on the sign-in page or before) is what the person read
      // and signed in with: the account keeps it. Else the account's own choice, or, when it has
      // none yet, the one the sign-in page was shown in.
      if (chosenInThisBrowser() || !session.language) rememberLanguage(currentLanguage());
      else await loadLanguage(session.username, session.language);
      translateStatic();
      route();
    }));
    return;
  }
  let [, page, id] = hash.split("/");
  if (!pages.includes(page) || (needs[page] && !can(needs[page]))) page = "new";
  // A one-time password set by an administrator is changed before anything else.
  if (session.mustChangePassword) page = "account";
  document.title = `${t(`title.${page}`)} — ${t("brand")}`;
  if (page === "result" && id) { const built = resultView(id); stopCurrent = built.stop; render(built.element); return; }
  if (page === "batch") { const built = await batchView(); if (generation !== routeGeneration || !session.token) { built.stop(); return; } stopCurrent = built.stop; render(built.element); return; }
  const views = { history: historyView, model: modelView, reviews: reviewsView, accounts: accountsView, audit: auditView,
                  account: () => accountView(route) };
  if (!views[page]) prefetchResultData();  // the form: the result card's data comes while it is filled in
  const element = await (views[page] || applicationView)();
  if (generation === routeGeneration && session.token) render(element);
}

function render(element) {
  view.replaceChildren(element);
  const heading = element.querySelector("h1");
  if (heading) { heading.tabIndex = -1; heading.focus(); }
}

whenUnauthorized((message) => { say(message); route(); });
document.getElementById("sign-out").addEventListener("click", () => {
  session.token = null;
  clearDraft();
  location.hash = "#/new";
  say(t("flash.signed_out"));
  route();
});
/** Keeps `tag` as the signed-in account's language, for every browser it signs in from. */
function rememberLanguage(tag) {
  session.language = tag;
  api("api/account/language", { method: "PUT", json: { language: tag } });
}

languageSwitch.addEventListener("change", async () => {
  await chooseLanguage(languageSwitch.value, session.username);
  if (session.token) rememberLanguage(languageSwitch.value);
  translateStatic();
  if (flashFor !== null) say("");
  route();
});
// The words first: no view is built before its language's catalog is here.
await loadLanguage(session.username, session.language);
translateStatic();
window.addEventListener("hashchange", route);
route();
