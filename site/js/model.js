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
  if (data.fairness?.length) parts.push(fairnessView(data.fairness));
  if (data.challenger) parts.push(challengerView(data.challenger));
  if (can("admin")) {
    if (data.challenger) parts.push(await comparisonView());
    parts.push(await monitoringView());
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
      row("Protected age", policy.protected_age ? `no adverse age reason from ${policy.protected_age.from}` : "none"),
      row("Fairness reported by", list((policy.fairness_groups || ["sex", "age"]).map((f) => f.replaceAll("_", " "))))))];
  if (costs?.length) {
    section.push(h("div", { class: "table-wrap" }, h("table", { class: "card" },
      h("caption", {}, "Validation AUC given up by each policy item (negative: the item helps)"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Item"), h("th", { scope: "col" }, "AUC without it"), h("th", { scope: "col" }, "Cost"))),
      h("tbody", {}, ...costs.map((c) => h("tr", {}, h("td", {}, c.item.replaceAll("_", " ")), h("td", {}, c.auc_without.toFixed(4)), h("td", {}, signed(c.cost))))))));
  }
  return h("section", { id: "model-policy" }, ...section);
}

/** Approval rate, bad rate and AUC of each group the policy reports, on the validation data. */
function fairnessView(groups) {
  const name = (attribute) => attribute.replaceAll("_", " ");
  return h("section", { id: "fairness" }, h("h2", {}, "Fairness on the validation data"),
    h("div", { class: "table-wrap" }, h("table", { class: "card" },
      h("thead", {}, h("tr", {}, ...["Group", "Applicants", "Approved", "Bad rate", "Mean PD", "AUC"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, ...groups.map((g) => h("tr", {}, h("td", {}, `${name(g.attribute)}: ${g.group}`), h("td", {}, g.rows.toLocaleString()),
        h("td", {}, percent(g.approval_rate)), h("td", {}, percent(g.bad_rate)), h("td", {}, percent(g.mean_probability)),
        h("td", {}, g.auc == null ? "—" : g.auc.toFixed(3))))))));
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

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element with attributes and children (built, never parsed: the CSP allows no inline markup). */
function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  for (const child of children) if (child) element.append(child);
  return element;
}

/** Administrators: the PD's stability (PSI) against the validation data, week by week, with
 * the usual bands (under 0.1 stable, 0.1–0.25 a shift, 0.25 or more a major shift). */
async function monitoringView() {
  const { status, data } = await api("api/monitoring?weeks=12");
  const heading = h("h2", {}, "Score stability (PSI against validation), by week");
  if (status !== 200) return h("section", {}, heading, h("p", { class: "flash" }, data?.detail || "Monitoring cannot be loaded."));
  const summary = data.applications
    ? `${data.applications.toLocaleString()} applications since ${data.since.slice(0, 10)}: PSI ${data.psi.toFixed(3)} (${data.band}).`
    : `No application scored by ${data.model} since ${data.since.slice(0, 10)}.`;
  return h("section", { id: "stability" }, heading, h("p", {}, summary), stabilityChart(data), h("table", { class: "card" },
    h("caption", {}, `Weeks with fewer than ${data.minimum_per_week} applications have no PSI`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Week of"), h("th", { scope: "col" }, "Applications"), h("th", { scope: "col" }, "PSI"))),
    h("tbody", {}, ...data.weeks.map((w) => h("tr", {}, h("td", {}, w.week_of), h("td", {}, w.applications.toLocaleString()),
      h("td", {}, w.psi === null ? "—" : `${w.psi.toFixed(3)} (${w.band})`))))));
}

/** The weekly PSI as a line over the three bands. */
function stabilityChart(data) {
  const width = 640, height = 240, left = 44, right = 12, top = 12, bottom = 36;
  const values = data.weeks.map((w) => w.psi).filter((v) => v !== null);
  // Up to 0.6: the bands stay readable; a larger PSI is drawn at the top (its title says the value).
  const ceiling = Math.min(0.6, Math.max(0.3, ...values.map((v) => v * 1.15)));
  const x = (i) => left + (data.weeks.length === 1 ? 0 : (i * (width - left - right)) / (data.weeks.length - 1));
  const y = (v) => top + (1 - Math.min(v, ceiling) / ceiling) * (height - top - bottom);
  const band = (from, to, fill, label) => svg("rect", { x: left, y: y(to), width: width - left - right, height: y(from) - y(to), fill, "aria-label": label });
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "stability-chart", "aria-labelledby": "stability-title" },
    svg("title", { id: "stability-title" }, document.createTextNode(`Weekly PSI of ${data.model}; 0.1 and 0.25 mark a shift and a major shift`)),
    band(0, 0.1, "#e8f5e9", "stable"), band(0.1, 0.25, "#fff8e1", "shift"), band(0.25, ceiling, "#ffebee", "major shift"));
  for (const tick of [0, 0.1, 0.25]) {
    chart.append(svg("line", { x1: left, x2: width - right, y1: y(tick), y2: y(tick), stroke: "#9e9e9e", "stroke-dasharray": tick ? "4 3" : "" }),
      svg("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end", "font-size": 11 }, document.createTextNode(tick.toFixed(2))));
  }
  data.weeks.forEach((w, i) => {
    if (i % 2 === data.weeks.length % 2 || data.weeks.length <= 6) {
      chart.append(svg("text", { x: x(i), y: height - bottom + 16, "text-anchor": "middle", "font-size": 11 }, document.createTextNode(w.week_of.slice(5))));
    }
  });
  const points = data.weeks.map((w, i) => (w.psi === null ? null : [x(i), y(w.psi)]));
  let path = "";
  points.forEach((p, i) => { if (p) path += `${path && points[i - 1] ? "L" : "M"}${p[0].toFixed(1)},${p[1].toFixed(1)}`; });
  if (path) chart.append(svg("path", { d: path, fill: "none", stroke: "#1565c0", "stroke-width": 2 }));
  points.forEach((p, i) => {
    if (p) chart.append(svg("circle", { cx: p[0], cy: p[1], r: 3.5, fill: "#1565c0" },
      svg("title", {}, document.createTextNode(`week of ${data.weeks[i].week_of}: PSI ${data.weeks[i].psi.toFixed(3)}, ${data.weeks[i].applications} applications`))));
  });
  return chart;
}
