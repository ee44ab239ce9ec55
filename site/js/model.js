import { api } from "./api.js";
import { h, percent, when } from "./dom.js";

/** What /api/model reports, with the model card's plots. */
export async function modelView() {
  const { status, data } = await api("api/model");
  if (status !== 200) return h("p", { class: "flash" }, data?.detail || "The model card cannot be loaded.");
  const v = data.validation;
  const row = (name, value) => h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, value));
  return h("div", {}, h("h1", {}, "Model"),
    h("table", { class: "card" }, h("tbody", {},
      row("Model", data.id), row("Kind", data.kind === "gbdt" ? "Gradient-boosted trees" : "Logistic regression (scorecard)"),
      row("Trained", when(data.trained_at)), row("Validation rows", String(v.rows)), row("AUC", v.auc.toFixed(4)),
      row("KS", v.ks.toFixed(4)), row("Brier score", v.brier.toFixed(4)), row("Approval rate", percent(v.approval_rate)),
      row("Decision rule", data.policy.rule))),
    h("div", { class: "plots" },
      h("img", { src: data.card.roc, alt: `ROC curve on the validation data, AUC ${v.auc.toFixed(3)}`, width: 480, height: 360 }),
      h("img", { src: data.card.calibration, alt: "Calibration: predicted against observed default rates", width: 480, height: 360 })));
}
