// The customer's decision letter: the API writes it (GET api/predictions/{id}/letter), the page
// prints it from a hidden frame. The frame's document comes from `srcdoc`, so it inherits the
// page's CSP, which allows the letter's one inline style by its hash and nothing else.
import { api } from "./api.js";
import { h } from "./dom.js";
import { currentLanguage, languageName, LANGUAGES, t } from "./i18n.js";

/** Fetches the letter of application `id` in `language` and prints it; a problem goes to `status`. */
export async function printLetter(id, language, status) {
  status.textContent = t("letter.preparing");
  const answer = await api(`api/predictions/${encodeURIComponent(id)}/letter?lang=${encodeURIComponent(language)}`, { text: true });
  if (answer.status !== 200 || typeof answer.data !== "string") {
    status.textContent = answer.data?.detail || t("letter.failed");
    return;
  }
  document.getElementById("letter-frame")?.remove();
  const frame = h("iframe", { id: "letter-frame", class: "letter-frame", title: t("letter.frame_title"), "aria-hidden": "true", tabindex: "-1" });
  frame.addEventListener("load", () => {
    status.textContent = "";
    document.body.dataset.letterLanguage = language;
    frame.contentWindow.focus();
    frame.contentWindow.print();
  }, { once: true });
  frame.srcdoc = answer.data;
  document.body.append(frame);
}

/** The primary print action and the letter's language (the page's by default). */
export function letterControls(id) {
  const status = h("span", { class: "meta", id: "letter-status", role: "status", "aria-live": "polite" });
  const language = h("select", { id: "letter-language" },
    LANGUAGES.map((tag) => h("option", { value: tag, lang: tag, selected: tag === currentLanguage() }, languageName(tag))));
  return [
    h("label", { class: "letter-language", for: "letter-language" }, t("letter.language"), " ", language),
    h("button", { class: "primary", type: "button", id: "print-letter", onclick: () => printLetter(id, language.value, status) }, t("letter.print")),
    status,
  ];
}
