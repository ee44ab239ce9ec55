import { api } from "./api.js";
import { h } from "./dom.js";
import { parseDay, t, when } from "./i18n.js";

const actions = ["sign_in", "sign_in_failed", "token_refused", "submission", "view", "export", "review_requested", "decision", "override",
  "account_created", "role_changed", "account_disabled", "account_enabled", "password_changed", "password_reset", "model_loaded",
  "model_promoted", "model_rolled_back", "model_challenged", "outcomes_imported", "api_key_created", "api_key_revoked", "retention_purge",
  "letter_issued"];

/** The audit trail (administrators): newest first, filtered by user, action and day. */
export async function auditView() {
  const body = h("tbody");
  const columns = ["when", "user", "action", "object", "detail", "address"].map((key) => t(`audit.column_${key}`));
  const status = h("p", { class: "meta", role: "status" });
  const more = h("button", { class: "secondary", type: "button", hidden: true }, t("list.load_more"));
  const user = h("input", { id: "audit-user", type: "search" });
  const action = h("select", { id: "audit-action" }, h("option", { value: "" }, t("audit.all_actions")), actions.map((a) => h("option", { value: a }, t(`action.${a}`))));
  const since = h("input", { id: "audit-since", type: "text", inputmode: "numeric", placeholder: t("date.placeholder"), autocomplete: "off" });
  const filters = h("form", { class: "filters", role: "search" },
    h("div", { class: "field" }, h("label", { for: "audit-user" }, t("audit.user")), user),
    h("div", { class: "field" }, h("label", { for: "audit-action" }, t("audit.action")), action),
    h("div", { class: "field" }, h("label", { for: "audit-since" }, t("audit.since")), since),
    h("div", { class: "actions" }, h("button", { class: "secondary", type: "submit" }, t("audit.filter"))));
  let next = null;

  async function load(reset) {
    if (reset) {
      body.replaceChildren();
      const query = new URLSearchParams({ limit: "50" });
      if (user.value.trim()) query.set("user", user.value.trim());
      if (action.value) query.set("action", action.value);
      const day = parseDay(since.value);
      if (day === null) { status.textContent = t("date.invalid", { text: since.value.trim() }); return; }
      if (day) query.set("since", day);
      next = `api/audit?${query}`;
    }
    const { status: code, data } = await api(next);
    if (code !== 200) { status.textContent = Object.values(data?.errors || {}).flat().join(" ") || data?.detail || t("audit.cannot_load"); return; }
    const cell = (index, content, props = {}) => h("td", { ...props, dataset: { label: columns[index] } }, content);
    body.append(...data.items.map((row) => h("tr", {}, cell(0, when(row.at)), cell(1, row.user), cell(2, t(`action.${row.action}`)),
      cell(3, row.object || "—", { class: "wrap" }), cell(4, row.detail || "—"), cell(5, row.address || "—"))));
    next = data.next;
    more.hidden = !next;
    status.textContent = body.children.length ? t("list.shown", { count: body.children.length }) : t("audit.none");
  }
  filters.addEventListener("submit", (event) => { event.preventDefault(); load(true); });
  more.addEventListener("click", () => load(false));
  await load(true);
  return h("div", {}, h("h1", {}, t("title.audit")), filters, status,
    h("div", { class: "table-wrap" }, h("table", { id: "audit", class: "cards" }, h("caption", { class: "meta" }, t("audit.caption")),
      h("thead", {}, h("tr", {}, columns.map((text) => h("th", { scope: "col" }, text)))), body)),
    h("div", { class: "actions" }, more));
}
