import { api } from "./api.js";
import { h, when } from "./dom.js";

const actions = ["sign_in", "sign_in_failed", "token_refused", "submission", "view", "export", "review_requested", "decision", "override",
  "account_created", "role_changed", "account_disabled", "account_enabled", "password_changed", "password_reset", "model_loaded", "retention_purge"];

/** The audit trail (administrators): newest first, filtered by user, action and day. */
export async function auditView() {
  const body = h("tbody");
  const status = h("p", { class: "meta", role: "status" });
  const more = h("button", { class: "secondary", type: "button", hidden: true }, "Load more");
  const user = h("input", { id: "audit-user", type: "search" });
  const action = h("select", { id: "audit-action" }, h("option", { value: "" }, "All actions"), actions.map((a) => h("option", { value: a }, a.replace(/_/g, " "))));
  const since = h("input", { id: "audit-since", type: "date" });
  const filters = h("form", { class: "filters", role: "search" },
    h("div", { class: "field" }, h("label", { for: "audit-user" }, "User"), user),
    h("div", { class: "field" }, h("label", { for: "audit-action" }, "Action"), action),
    h("div", { class: "field" }, h("label", { for: "audit-since" }, "From (UTC day)"), since),
    h("div", { class: "actions" }, h("button", { class: "secondary", type: "submit" }, "Filter")));
  let next = null;

  async function load(reset) {
    if (reset) {
      body.replaceChildren();
      const query = new URLSearchParams({ limit: "50" });
      if (user.value.trim()) query.set("user", user.value.trim());
      if (action.value) query.set("action", action.value);
      if (since.value) query.set("since", since.value);
      next = `api/audit?${query}`;
    }
    const { status: code, data } = await api(next);
    if (code !== 200) { status.textContent = data?.detail || "The audit trail cannot be loaded."; return; }
    body.append(...data.items.map((row) => h("tr", {}, h("td", {}, when(row.at)), h("td", {}, row.user), h("td", {}, row.action.replace(/_/g, " ")),
      h("td", { class: "wrap" }, row.object || "—"), h("td", {}, row.detail || "—"), h("td", {}, row.address || "—"))));
    next = data.next;
    more.hidden = !next;
    status.textContent = body.children.length ? `${body.children.length} rows shown.` : "No row matches.";
  }
  filters.addEventListener("submit", (event) => { event.preventDefault(); load(true); });
  more.addEventListener("click", () => load(false));
  await load(true);
  return h("div", {}, h("h1", {}, "Audit trail"), filters, status,
    h("div", { class: "table-wrap" }, h("table", { id: "audit" }, h("caption", { class: "meta" }, "What was done, by whom, newest first"),
      h("thead", {}, h("tr", {}, ["When", "User", "Action", "Object", "Detail", "Address"].map((t) => h("th", { scope: "col" }, t)))), body)),
    h("div", { class: "actions" }, more));
}
