import { api, session } from "./api.js";
import { h, when } from "./dom.js";

const roles = ["officer", "reviewer", "admin"];

/** Accounts (administrators): add a user with a one-time password, change a role, disable or
 *  enable, and reset a password to a new one-time one. Every change is audited by the API. */
export async function accountsView() {
  const body = h("tbody");
  const status = h("p", { class: "meta", id: "accounts-status", role: "status", "aria-live": "polite" });
  const name = h("input", { id: "new-user-name", autocomplete: "off", required: true, maxlength: 100 });
  const role = h("select", { id: "new-user-role" }, roles.map((r) => h("option", { value: r }, r)));
  const password = h("input", { id: "new-user-password", type: "password", autocomplete: "new-password", required: true, minlength: 10, "aria-describedby": "new-user-help" });
  const error = h("p", { class: "error", id: "new-user-error", role: "alert" });
  const add = h("form", { class: "card", id: "add-user" }, h("h2", {}, "Add a user"),
    h("div", { class: "fields" },
      h("div", { class: "field" }, h("label", { for: "new-user-name" }, "User name"), name),
      h("div", { class: "field" }, h("label", { for: "new-user-role" }, "Role"), role),
      h("div", { class: "field" }, h("label", { for: "new-user-password" }, "One-time password"), password,
        h("span", { class: "help", id: "new-user-help" }, "At least 10 characters; the user chooses their own at first sign-in."))),
    error, h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Add user")));

  async function change(user, patch, said) {
    const { status: code, data } = await api(`api/users/${encodeURIComponent(user)}`, { method: "PATCH", json: patch });
    status.textContent = code === 200 ? said : `${user}: ${Object.values(data?.errors || {}).flat().join(" ") || data?.detail || "the change failed."}`;
    await load();
  }

  function row(user) {
    const self = user.name === session.username;
    const select = h("select", { "aria-label": `Role of ${user.name}`, disabled: self, onchange: (e) => change(user.name, { role: e.target.value }, `${user.name} is now ${e.target.value}.`) },
      roles.map((r) => h("option", { value: r, selected: r === user.role }, r)));
    const toggle = h("button", { class: "secondary", type: "button", disabled: self,
      onclick: () => change(user.name, { disabled: !user.disabled }, `${user.name} is ${user.disabled ? "enabled" : "disabled"}.`) },
    user.disabled ? `Enable ${user.name}` : `Disable ${user.name}`);
    const reset = h("button", { class: "secondary", type: "button", onclick: () => {
      const fresh = window.prompt(`A one-time password for ${user.name} (at least 10 characters):`);
      if (fresh) change(user.name, { password: fresh }, `${user.name} has a new one-time password; their sessions have ended.`);
    } }, `Reset password of ${user.name}`);
    return h("tr", {}, h("td", {}, user.name), h("td", {}, select),
      h("td", {}, user.disabled ? "Disabled" : user.must_change_password ? "Must change password" : "Active"),
      h("td", {}, when(user.created_at)), h("td", {}, h("div", { class: "actions" }, toggle, reset)));
  }

  async function load() {
    const { status: code, data } = await api("api/users");
    if (code !== 200) { status.textContent = data?.detail || "The accounts cannot be loaded."; return; }
    body.replaceChildren(...data.items.map(row));
  }

  add.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const { status: code, data } = await api("api/users", { method: "POST", json: { name: name.value.trim(), role: role.value, password: password.value } });
    if (code === 201) {
      status.textContent = `Added ${data.name} (${data.role}). Give them the one-time password in person.`;
      name.value = password.value = "";
      await load();
      return;
    }
    error.textContent = Object.values(data?.errors || {}).flat().join(" ") || data?.detail || "The user could not be added.";
    name.focus();
  });
  await load();
  return h("div", {}, h("h1", {}, "Accounts"), status,
    h("div", { class: "table-wrap" }, h("table", { id: "accounts" }, h("caption", { class: "meta" }, "Every account"),
      h("thead", {}, h("tr", {}, ["User", "Role", "Status", "Created", "Actions"].map((t) => h("th", { scope: "col" }, t)))), body)),
    add);
}
