import { api, session } from "./api.js";
import { h } from "./dom.js";
import { t, when } from "./i18n.js";

const roles = ["officer", "reviewer", "admin"];

/** Accounts (administrators): add a user with a one-time password, change a role, disable or
 *  enable, and reset a password to a new one-time one. Every change is audited by the API. */
export async function accountsView() {
  const body = h("tbody");
  const columns = ["user", "role", "state", "created", "actions"].map((key) => t(`accounts.column_${key}`));
  const status = h("p", { class: "meta", id: "accounts-status", role: "status", "aria-live": "polite" });
  const name = h("input", { id: "new-user-name", autocomplete: "off", required: true, maxlength: 100 });
  const roleName = (r) => t(`role.${r}`);
  // No role is preselected: an administrator picks one for every new account.
  const role = h("select", { id: "new-user-role", required: true }, h("option", { value: "" }, t("form.choose")),
    roles.map((r) => h("option", { value: r }, roleName(r))));
  const password = h("input", { id: "new-user-password", type: "password", autocomplete: "new-password", required: true, minlength: 10, "aria-describedby": "new-user-help" });
  const error = h("p", { class: "error", id: "new-user-error", role: "alert" });
  const add = h("form", { class: "card", id: "add-user" }, h("h2", {}, t("accounts.add_title")),
    h("div", { class: "fields" },
      h("div", { class: "field" }, h("label", { for: "new-user-name" }, t("accounts.name")), name),
      h("div", { class: "field" }, h("label", { for: "new-user-role" }, t("accounts.role")), role),
      h("div", { class: "field" }, h("label", { for: "new-user-password" }, t("accounts.one_time_password")), password,
        h("span", { class: "help", id: "new-user-help" }, t("accounts.password_help")))),
    error, h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, t("accounts.add"))));

  async function change(user, patch, said) {
    const { status: code, data } = await api(`api/users/${encodeURIComponent(user)}`, { method: "PATCH", json: patch });
    status.textContent = code === 200 ? said : `${user}: ${Object.values(data?.errors || {}).flat().join(" ") || data?.detail || t("accounts.change_failed")}`;
    await load();
  }

  function row(user) {
    const self = user.name === session.username;
    const select = h("select", { "aria-label": t("accounts.role_of", { name: user.name }), disabled: self,
      onchange: (e) => change(user.name, { role: e.target.value }, t("accounts.now_role", { name: user.name, role: roleName(e.target.value) })) },
    roles.map((r) => h("option", { value: r, selected: r === user.role }, roleName(r))));
    const toggle = h("button", { class: "secondary", type: "button", disabled: self,
      onclick: () => change(user.name, { disabled: !user.disabled }, t(user.disabled ? "accounts.enabled" : "accounts.disabled", { name: user.name })) },
    t(user.disabled ? "accounts.enable" : "accounts.disable", { name: user.name }));
    const reset = h("button", { class: "secondary", type: "button", onclick: () => {
      const fresh = window.prompt(t("accounts.prompt_password", { name: user.name }));
      if (fresh) change(user.name, { password: fresh }, t("accounts.password_reset", { name: user.name }));
    } }, t("accounts.reset", { name: user.name }));
    const cell = (index, ...content) => h("td", { dataset: { label: columns[index] } }, ...content);
    return h("tr", {}, cell(0, user.name), cell(1, select),
      cell(2, t(user.disabled ? "accounts.state_disabled" : user.must_change_password ? "accounts.state_must_change" : "accounts.state_active")),
      cell(3, when(user.created_at)), cell(4, h("div", { class: "actions" }, toggle, reset)));
  }

  async function load() {
    const { status: code, data } = await api("api/users");
    if (code !== 200) { status.textContent = data?.detail || t("accounts.cannot_load"); return; }
    body.replaceChildren(...data.items.map(row));
  }

  add.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const { status: code, data } = await api("api/users", { method: "POST", json: { name: name.value.trim(), role: role.value, password: password.value } });
    if (code === 201) {
      status.textContent = t("accounts.added", { name: data.name, role: roleName(data.role) });
      name.value = password.value = "";
      role.value = "";
      await load();
      return;
    }
    error.textContent = Object.values(data?.errors || {}).flat().join(" ") || data?.detail || t("accounts.not_added");
    name.focus();
  });
  await load();
  return h("div", {}, h("h1", {}, t("title.accounts")), status,
    h("div", { class: "table-wrap" }, h("table", { id: "accounts", class: "cards" }, h("caption", { class: "meta" }, t("accounts.caption")),
      h("thead", {}, h("tr", {}, columns.map((text) => h("th", { scope: "col" }, text)))), body)),
    add);
}
