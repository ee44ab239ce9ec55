import { api, can, schema } from "./api.js";
import { h } from "./dom.js";
import { fixed, has, number, percent, t, when } from "./i18n.js";
import { modelWord } from "./result.js";

const kindName = (kind) => t(kind === "gbdt" ? "model.kind_gbdt" : "model.kind_logistic");
const row = (name, value, explanation) => h("tr", {}, h("th", { scope: "row" }, name),
  h("td", {}, value, explanation ? h("span", { class: "explain" }, explanation) : null));
const signed = (value, digits = 4) => `${value >= 0 ? "+" : "−"}${fixed(Math.abs(value), digits)}`;
/** A field's name as a person reads it: its label in the schema, else its name with spaces. */
let fieldLabels = new Map();
const fieldName = (name) => fieldLabels.get(name) || name.replaceAll("_", " ");
/** A stability band's words (stable, shift, major shift). */
const band = (value) => t(`band.${String(value).replace(" ", "_")}`);

/** The champion's card (the model whose results officers see), its policy, and for
 * administrators the challenger scored in its shadow and the stability of the scores. */
export async function modelView() {
  const [{ status, data }, definition] = await Promise.all([api("api/model"), schema().catch(() => null)]);
  if (status !== 200) return h("p", { class: "flash" }, data?.detail || t("model.cannot_load"));
  fieldLabels = new Map((definition?.fields || []).map((f) => [f.name, f.label]));
  const v = data.validation;
  const rule = data.policy.approve_below !== undefined
    ? t("model.rule", { approve: modelWord("approve"), below: percent(data.policy.approve_below), review: modelWord("review"),
                        reject: modelWord("reject"), from: percent(data.policy.reject_from) })
    : data.policy.rule;
  const parts = [h("h1", {}, t("title.model")),
    h("table", { class: "card", id: "model-card" }, h("tbody", {},
      row(t("model.model"), data.id), row(t("model.kind"), kindName(data.kind)),
      row(t("model.trained"), when(data.trained_at)), row(t("model.validation_rows"), number(v.rows)),
      row("AUC", fixed(v.auc, 4), t("model.auc_explain")),
      row("KS", fixed(v.ks, 4), t("model.ks_explain")),
      row(t("model.brier"), fixed(v.brier, 4), t("model.brier_explain")),
      row(t("model.approval_rate"), percent(v.approval_rate), t("model.approval_explain")),
      row(t("model.rule_label"), rule)))];
  if (data.card?.roc || data.card?.calibration) {
    parts.push(h("div", { class: "plots" },
      data.card.roc && h("img", { src: data.card.roc, alt: t("model.roc_alt", { auc: fixed(v.auc, 3) }), width: 480, height: 360 }),
      data.card.calibration && h("img", { src: data.card.calibration, alt: t("model.calibration_alt"), width: 480, height: 360 })));
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
    t(direction === "decreasing" ? "model.monotone_decreasing" : "model.monotone_increasing", { field: fieldName(field) }));
  const list = (items) => (items.length ? items.join(", ") : t("model.none"));
  const section = [h("h2", {}, t("model.policy")),
    h("table", { class: "card" }, h("tbody", {},
      row(t("model.left_out"), list((policy.excluded_inputs || []).map(fieldName))),
      row(t("model.never_reasons"), list((policy.excluded_reasons || []).map(fieldName))),
      row(t("model.monotone"), list(monotone)),
      row(t("model.protected_age"), policy.protected_age ? t("model.protected_from", { age: policy.protected_age.from }) : t("model.none")),
      row(t("model.fairness_by"), list((policy.fairness_groups || ["sex", "age"]).map(fieldName)))))];
  if (costs?.length) {
    section.push(h("div", { class: "table-wrap" }, h("table", { class: "card" },
      h("caption", {}, t("model.costs_caption")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("model.item")), h("th", { scope: "col" }, t("model.auc_without")), h("th", { scope: "col" }, t("model.cost")))),
      h("tbody", {}, ...costs.map((c) => h("tr", {}, h("td", {}, c.item.split("+").map((part) => fieldName(part.trim())).join(" + ")),
        h("td", {}, fixed(c.auc_without, 4)), h("td", {}, signed(c.cost))))))));
  }
  return h("section", { id: "model-policy" }, ...section);
}

/** Approval rate, bad rate and AUC of each group the policy reports, on the validation data. */
function fairnessView(groups) {
  return h("section", { id: "fairness" }, h("h2", {}, t("model.fairness")),
    h("div", { class: "table-wrap" }, h("table", { class: "card" },
      h("thead", {}, h("tr", {}, ...["group", "applicants", "approved", "bad_rate", "mean_pd", "auc"].map((key) => h("th", { scope: "col" }, t(`model.fairness_${key}`))))),
      h("tbody", {}, ...groups.map((g) => h("tr", {}, h("td", {}, `${fieldName(g.attribute)}: ${has(`group.${g.group}`) ? t(`group.${g.group}`) : g.group}`),
        h("td", {}, number(g.rows)),
        h("td", {}, percent(g.approval_rate)), h("td", {}, percent(g.bad_rate)), h("td", {}, percent(g.mean_probability)),
        h("td", {}, g.auc == null ? "—" : fixed(g.auc, 3))))))));
}

/** The challenger's card, next to the champion's. */
function challengerView(challenger) {
  const v = challenger.validation;
  return h("section", {}, h("h2", {}, t("model.challenger")),
    h("table", { class: "card" }, h("tbody", {},
      row(t("model.model"), challenger.id),
      challenger.kind && row(t("model.kind"), kindName(challenger.kind)),
      v && row("AUC", fixed(v.auc, 4)),
      v && row(t("model.approval_rate"), percent(v.approval_rate)))));
}

/** Administrators: how the challenger's results compare with the champion's. */
async function comparisonView() {
  const { status, data } = await api("api/model/comparison");
  if (status !== 200) return h("p", { class: "flash" }, data?.detail || t("model.comparison_failed"));
  if (!data.applications) return h("p", {}, t("model.comparison_none"));
  return h("section", {}, h("h2", {}, t("model.comparison")),
    h("table", { class: "card" }, h("tbody", {},
      row(t("model.both_scored"), number(data.applications)),
      row(t("model.same_decision"), percent(data.agreement_rate)),
      row(t("model.mean_difference"), signed(data.mean_pd_difference)),
      row(t("model.mean_absolute_difference"), fixed(data.mean_absolute_pd_difference, 4)),
      row(t("model.largest_difference"), fixed(data.max_absolute_pd_difference, 4)))),
    h("table", { class: "card" }, h("caption", {}, t("model.decisions_caption")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("model.champion")), h("th", { scope: "col" }, t("model.challenger_short")), h("th", { scope: "col" }, t("model.applications")))),
      h("tbody", {}, ...data.decisions.map((d) => h("tr", { class: d.champion === d.challenger ? "" : "changed" },
        h("td", {}, modelWord(d.champion)), h("td", {}, modelWord(d.challenger)), h("td", {}, number(d.count)))))));
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
  const heading = h("h2", {}, t("model.stability"));
  if (status !== 200) return h("section", {}, heading, h("p", { class: "flash" }, data?.detail || t("model.monitoring_failed")));
  const since = data.since.slice(0, 10).split("-").reverse().join("/");
  const summary = data.applications
    ? t("model.stability_summary", { count: number(data.applications), since, psi: fixed(data.psi, 3), band: band(data.band) })
    : t("model.stability_none", { model: data.model, since });
  return h("section", { id: "stability" }, heading, h("p", { class: "explain" }, t("model.psi_explain")), h("p", {}, summary), stabilityChart(data),
    h("table", { class: "card" },
      h("caption", {}, t("model.weeks_caption", { minimum: data.minimum_per_week })),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("model.week_of")), h("th", { scope: "col" }, t("model.applications")), h("th", { scope: "col" }, "PSI"))),
      h("tbody", {}, ...data.weeks.map((w) => h("tr", {}, h("td", {}, w.week_of.split("-").reverse().join("/")), h("td", {}, number(w.applications)),
        h("td", {}, w.psi === null ? "—" : `${fixed(w.psi, 3)} (${band(w.band)})`))))),
    inputStability(data), backTest(data));
}

/** Each input's stability (CSI) against the validation applicants, least stable first. */
function inputStability(data) {
  const heading = h("h3", {}, t("model.inputs_title"));
  if (!data.inputs?.length) return h("section", { id: "input-stability" }, heading, h("p", {}, t("model.inputs_none")));
  return h("section", { id: "input-stability" }, heading, h("p", { class: "explain" }, t("model.csi_explain", { count: number(data.inputs_applications) })),
    h("div", { class: "table-wrap" }, h("table", { class: "card" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("model.input")), h("th", { scope: "col" }, "CSI"), h("th", { scope: "col" }, t("model.band")))),
      h("tbody", {}, ...data.inputs.map((input) => h("tr", { class: input.band === "stable" ? "" : "changed" },
        h("td", {}, fieldName(input.field)), h("td", {}, fixed(input.csi, 3)), h("td", {}, band(input.band))))))));
}

/** The back-test: bad rate against mean PD and AUC by month, once outcomes are recorded. */
function backTest(data) {
  const heading = h("h3", {}, t("model.backtest_title"));
  if (!data.backtest?.length) return h("section", { id: "backtest" }, heading, h("p", {}, t("model.backtest_none")));
  const month = (text) => text.split("-").reverse().join("/");
  return h("section", { id: "backtest" }, heading, h("p", { class: "explain" }, t("model.backtest_explain")),
    h("div", { class: "table-wrap" }, h("table", { class: "card" },
      h("thead", {}, h("tr", {}, ...["month", "model", "applications", "bad_rate", "mean_pd", "auc"].map((key) => h("th", { scope: "col" }, t(`model.backtest_${key}`))))),
      h("tbody", {}, ...data.backtest.map((c) => h("tr", {}, h("td", {}, month(c.month)), h("td", {}, c.model), h("td", {}, number(c.applications)),
        h("td", {}, percent(c.bad_rate)), h("td", {}, percent(c.mean_pd)), h("td", {}, c.auc === null ? "—" : fixed(c.auc, 3))))))));
}

/** The weekly PSI as a line over the three bands. */
function stabilityChart(data) {
  const width = 640, height = 240, left = 44, right = 12, top = 12, bottom = 36;
  const values = data.weeks.map((w) => w.psi).filter((v) => v !== null);
  // Up to 0.6: the bands stay readable; a larger PSI is drawn at the top (its title says the value).
  const ceiling = Math.min(0.6, Math.max(0.3, ...values.map((v) => v * 1.15)));
  const x = (i) => left + (data.weeks.length === 1 ? 0 : (i * (width - left - right)) / (data.weeks.length - 1));
  const y = (v) => top + (1 - Math.min(v, ceiling) / ceiling) * (height - top - bottom);
  const area = (from, to, fill, label) => svg("rect", { x: left, y: y(to), width: width - left - right, height: y(from) - y(to), fill, "aria-label": label });
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "stability-chart", "aria-labelledby": "stability-title" },
    svg("title", { id: "stability-title" }, document.createTextNode(t("model.chart_title", { model: data.model }))),
    area(0, 0.1, "#e8f5e9", band("stable")), area(0.1, 0.25, "#fff8e1", band("shift")), area(0.25, ceiling, "#ffebee", band("major shift")));
  for (const tick of [0, 0.1, 0.25]) {
    chart.append(svg("line", { x1: left, x2: width - right, y1: y(tick), y2: y(tick), stroke: "#9e9e9e", "stroke-dasharray": tick ? "4 3" : "" }),
      svg("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end", "font-size": 11 }, document.createTextNode(fixed(tick, 2))));
  }
  data.weeks.forEach((w, i) => {
    if (i % 2 === data.weeks.length % 2 || data.weeks.length <= 6) {
      chart.append(svg("text", { x: x(i), y: height - bottom + 16, "text-anchor": "middle", "font-size": 11 }, document.createTextNode(w.week_of.slice(5).split("-").reverse().join("/"))));
    }
  });
  const points = data.weeks.map((w, i) => (w.psi === null ? null : [x(i), y(w.psi)]));
  let path = "";
  points.forEach((p, i) => { if (p) path += `${path && points[i - 1] ? "L" : "M"}${p[0].toFixed(1)},${p[1].toFixed(1)}`; });
  if (path) chart.append(svg("path", { d: path, fill: "none", stroke: "#1565c0", "stroke-width": 2 }));
  points.forEach((p, i) => {
    if (p) chart.append(svg("circle", { cx: p[0], cy: p[1], r: 3.5, fill: "#1565c0" },
      svg("title", {}, document.createTextNode(t("model.point_title", { week: data.weeks[i].week_of.split("-").reverse().join("/"),
        psi: fixed(data.weeks[i].psi, 3), count: number(data.weeks[i].applications) })))));
  });
  return chart;
}
