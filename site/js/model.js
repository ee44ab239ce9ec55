import { api, can } from "./api.js";
import { h, percent, when } from "./dom.js";

const kindName = (kind) => (kind === "gbdt" ? "Gradient-boosted trees" : "Logistic regression (scorecard)");
const row = (name, value) => h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, value));
const signed = (value, digits = 4) => `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(digits)}`;

/** The champion's card (the model whose results officers see), its policy, and for
 * administrators the challenger scored in its shadow and the stability of the scores. */
export async function modelView() {
  const { status, data } = await api("api/model");
  if (status !== 200) return h("p", { class: "flash" }, data?.detail || "The model card cannot be loaded.");
  const v = data.validation;
  const parts = [h("h1", {}, "Model"),
    h("table", { class: "card" }, h("tbody", {},
      row("Model", data.id), row("Kind", kindName(data.kind)),
      row("Trained", when(data.trained_at)), row("Validation rows", String(v.rows)), row("AUC", v.auc.toFixed(4)),
      row("KS", v.ks.toFixed(4)), row("Brier score", v.brier.toFixed(4)), row("Approval rate", percent(v.approval_rate)),
      row("Decision rule", data.policy.rule)))];
  if (data.card?.roc || data.card?.calibration) {
    parts.push(h("div", { class: "plots" },
      data.card.roc && h("img", { src: data.card.roc, alt: `ROC curve on the validation data, AUC ${v.auc.toFixed(3)}`, width: 480, height: 360 }),
      data.card.calibration && h("img", { src: data.card.calibration, alt: "Calibration: predicted against observed default rates", width: 480, height: 360 })));
  }
  if (data.model_policy) parts.push(policyView(data.model_policy, data.policy_costs));
  if (data.challenger) parts.push(challengerView(data.challenger));
  if (can("admin")) {
    if (data.challenger) parts.push(await comparisonView());
  }
  return h("div", {}, ...parts);
}

/** What the model may use and say, and what each constraint cost in validation AUC. */
function policyView(policy, costs) {
  const monotone = Object.entries(policy.monotone || {}).map(([field, direction]) =>
    `${field.replaceAll("_", " ")} (risk ${direction === "decreasing" ? "never rises" : "never falls"} as it grows)`);
  const list = (items) => (items.length ? items.join(", ") : "none");
  const section = [h("h2", {}, "Model policy"),
    h("table", { class: "card" }, h("tbody", {},
      row("Inputs left out", list((policy.excluded_inputs || []).map((f) => f.replaceAll("_", " ")))),
      row("Never given as reasons", list((policy.excluded_reasons || []).map((f) => f.replaceAll("_", " ")))),
      row("Monotone", list(monotone)),
      row("Protected age", policy.protected_age ? `no adverse age reason from ${policy.protected_age.from}` : "none")))];
  if (costs?.length) {
    section.push(h("table", { class: "card" },
      h("caption", {}, "Validation AUC given up by each policy item (negative: the item helps)"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Item"), h("th", { scope: "col" }, "AUC without it"), h("th", { scope: "col" }, "Cost"))),
      h("tbody", {}, ...costs.map((c) => h("tr", {}, h("td", {}, c.item), h("td", {}, c.auc_without.toFixed(4)), h("td", {}, signed(c.cost)))))));
  }
  return h("section", {}, ...section);
}

/** The challenger's card, next to the champion's. */
function challengerView(challenger) {
  const v = challenger.validation;
  return h("section", {}, h("h2", {}, "Challenger (scored in the shadow, never shown to officers)"),
    h("table", { class: "card" }, h("tbody", {},
      row("Model", challenger.id),
      challenger.kind && row("Kind", kindName(challenger.kind)),
      v && row("AUC", v.auc.toFixed(4)),
      v && row("Approval rate", percent(v.approval_rate)))));
}

/** Administrators: how the challenger's results compare with the champion's. */
async function comparisonView() {
  const { status, data } = await api("api/model/comparison");
  if (status !== 200) return h("p", { class: "flash" }, data?.detail || "The comparison cannot be loaded.");
  if (!data.applications) return h("p", {}, "No application has been scored by both models yet.");
  return h("section", {}, h("h2", {}, "Champion against challenger"),
    h("table", { class: "card" }, h("tbody", {},
      row("Applications scored by both", data.applications.toLocaleString()),
      row("Same decision", percent(data.agreement_rate)),
      row("Mean PD difference (challenger − champion)", signed(data.mean_pd_difference)),
      row("Mean absolute PD difference", data.mean_absolute_pd_difference.toFixed(4)),
      row("Largest PD difference", data.max_absolute_pd_difference.toFixed(4)))),
    h("table", { class: "card" }, h("caption", {}, "Decisions: champion → challenger"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Champion"), h("th", { scope: "col" }, "Challenger"), h("th", { scope: "col" }, "Applications"))),
      h("tbody", {}, ...data.decisions.map((d) => h("tr", { class: d.champion === d.challenger ? "" : "changed" },
        h("td", {}, d.champion), h("td", {}, d.challenger), h("td", {}, d.count.toLocaleString()))))));
}
