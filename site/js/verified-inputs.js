// Verified inputs (reviewers): the values a customer's documents prove (a pay slip's income, an
// income-proof flag) corrected in the review queue. The API scores the corrected application
// again as a re-score linked to the original, owned by its officer and kept out of the queue;
// the two are then shown side by side before the reviewer decides on the result page.
import { api, schema } from "./api.js";
import { h } from "./dom.js";
import { formatNumber, parseNumber } from "./numbers.js";
import { percent, t } from "./i18n.js";

/** The amounts a document can prove, and the flags that say a document was supplied. */
const AMOUNTS = ["personal_monthly_income", "other_incomes", "personal_assets_value"];
const FLAGS = ["flag_income_proof", "flag_home_address_document", "flag_rg", "flag_cpf"];

/** A flag's code as the API takes it: a number when it is one. */
const flagValue = (code) => (/^\d+$/.test(code) ? Number(code) : code);

/** Polls a re-score until the worker has scored it (or it failed); null when it cannot be read. */
async function scored(id) {
  for (let wait = 50; ; wait = Math.min(2000, wait * 1.5)) {
    const { status, data } = await api(`api/predictions/${encodeURIComponent(id)}`);
    if (status !== 200) return null;
    if (data.status === "done" || data.status === "failed") return data;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** The original and the re-score side by side: decision, PD and reasons. */
export function comparison(original, rescore) {
  const reasons = (job) => h("ul", { class: "reasons" }, (job.result?.reasons || []).map((reason) => h("li", {}, reason.text)));
  const column = (job) => job.result
    ? [h("td", { dataset: { label: t("verified.decision") } }, t(`decision.${job.result.decision}`)),
       h("td", { dataset: { label: t("verified.pd") } }, percent(job.result.probability_of_default)),
       h("td", { dataset: { label: t("verified.reasons") } }, reasons(job))]
    : [h("td", { colspan: 3 }, job.error || t("verified.not_scored"))];
  const row = (label, job, id) => h("tr", { id }, h("th", { scope: "row" }, label), column(job));
  return h("table", { class: "cards comparison", id: `comparison-${original.id}` },
    h("caption", { class: "meta" }, t("verified.caption")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""), ["verified.decision", "verified.pd", "verified.reasons"].map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, row(t("verified.original"), original, `original-${original.id}`), row(t("verified.rescore"), rescore, `rescore-${original.id}`)));
}

/**
 * The correction form of an open review (an item of the queue: the application with its review):
 * the amounts and document flags; only what is filled in is sent. Once the re-score is scored it
 * is shown beside the original, with a link to decide; a re-score made before is shown at once.
 */
export async function verifiedInputs(item) {
  const definition = await schema().catch(() => null);
  const fields = new Map((definition?.fields || []).map((field) => [field.name, field]));
  const out = h("div", { class: "verified-result", "aria-live": "polite" });
  const error = h("p", { class: "error", role: "alert" });
  const inputs = [];
  for (const name of AMOUNTS) {
    const field = fields.get(name);
    if (!field) continue;
    const id = `verified-${name}-${item.id}`;
    const current = item.application?.[name];
    const input = h("input", { id, name, inputmode: "decimal", autocomplete: "off",
      placeholder: current === undefined || current === null ? "" : formatNumber(Number(current), field.unit) });
    inputs.push({ name, read: () => {
      if (!input.value.trim()) return undefined;
      const parsed = parseNumber(input.value, { money: field.unit === "R$" });
      if (parsed.error) throw new Error(`${field.label}: ${parsed.error}`);
      return parsed.value;
    } });
    inputs[inputs.length - 1].element = h("div", { class: "field" }, h("label", { for: id }, `${field.label}${field.unit ? ` (${field.unit})` : ""}`), input);
  }
  for (const name of FLAGS) {
    const field = fields.get(name);
    if (!field?.options?.length) continue;
    const id = `verified-${name}-${item.id}`;
    const select = h("select", { id, name }, h("option", { value: "" }, t("verified.unchanged")),
      field.options.map((option) => h("option", { value: option.code }, option.label)));
    inputs.push({ name, read: () => (select.value === "" ? undefined : flagValue(select.value)),
      element: h("div", { class: "field" }, h("label", { for: id }, field.label), select) });
  }
  const button = h("button", { class: "secondary", type: "submit" }, t("verified.submit"));
  const form = h("form", { class: "verified-inputs", id: `verified-form-${item.id}` },
    h("p", { class: "meta" }, t("verified.help")), inputs.map((input) => input.element), error, h("div", { class: "actions" }, button));
  const show = async (rescoreId) => {
    out.replaceChildren(h("p", { class: "meta" }, t("verified.scoring")));
    const rescore = await scored(rescoreId);
    out.replaceChildren(rescore ? comparison(item, rescore) : h("p", { class: "error" }, t("verified.not_scored")),
      h("p", {}, h("a", { href: `#/result/${item.id}` }, t("verified.decide"))));
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const corrected = {};
    try {
      for (const input of inputs) { const value = input.read(); if (value !== undefined) corrected[input.name] = value; }
    } catch (problem) { error.textContent = problem.message; return; }
    if (!Object.keys(corrected).length) { error.textContent = t("verified.nothing"); return; }
    button.disabled = true;
    const result = await api(`api/predictions/${encodeURIComponent(item.id)}/verified-inputs`, { method: "POST", json: { fields: corrected } });
    button.disabled = false;
    if (result.status !== 202) {
      error.textContent = Object.values(result.data?.errors || {}).flat().join(" ") || result.data?.detail || t("verified.not_sent");
      return;
    }
    await show(result.data.id);
  });
  if (item.review?.rescore_id) show(item.review.rescore_id);
  return h("details", { class: "verified" }, h("summary", {}, t("verified.title")), form, out);
}
