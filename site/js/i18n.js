// The page's language and the formats of its numbers, money and dates.
//
// The language is the person's choice (the switch in the header, remembered for their account on
// the server and on this browser), else the browser's languages, else the deployment's default
// (CREDIT_LANGUAGE). Its
// words are in i18n/<language>.json, keyed by name; `{name}` marks a part that varies. Every API
// call says the language in Accept-Language, so problems and the schema come in it too.
export const LANGUAGES = ["pt-BR", "en"];
const CHOICE = "credit.language";

let language = "pt-BR";
let words = {};
let fallback = {};
let timeZone = "America/Sao_Paulo";

/** The page's language tag. */
export const currentLanguage = () => language;

/** The words of `key` with `{name}` filled from `values`; the English words when the language lacks them. */
export function t(key, values = {}) {
  const template = words[key] ?? fallback[key];
  if (template === undefined) { console.warn(`i18n: no text for ${key}`); return key; }
  return template.replace(/\{([a-z_]+)\}/gi, (whole, name) => (values[name] === undefined ? whole : String(values[name])));
}

/** Whether the catalogs have words for `key` (for codes that may or may not have a name). */
export const has = (key) => key in words || key in fallback;

const catalogs = new Map();
function catalog(tag) {
  if (!catalogs.has(tag)) catalogs.set(tag, fetch(`i18n/${tag}.json`).then((r) => (r.ok ? r.json() : {})).catch(() => ({})));
  return catalogs.get(tag);
}

/** The supported language `tag` stands for ("pt", "pt-PT" and "pt-br" are pt-BR), or null. */
function supported(tag) {
  const primary = String(tag || "").toLowerCase().split(/[-_]/)[0];
  return primary === "pt" ? "pt-BR" : primary === "en" ? "en" : null;
}

const accountKey = (username) => `${CHOICE}.${username}`;

/** The language to show: the account's choice, this browser's last choice, the browser's languages, the default. */
function chosen(username, accountLanguage, defaultLanguage) {
  return supported(accountLanguage) || supported(username && localStorage.getItem(accountKey(username))) || supported(localStorage.getItem(CHOICE))
    || (navigator.languages || [navigator.language]).map(supported).find(Boolean) || supported(defaultLanguage) || "pt-BR";
}

let settings;
/** Loads the deployment's settings (once) and the words of the language to show for `username`,
 *  whose account chose `accountLanguage` (or nothing yet). */
export async function loadLanguage(username = "", accountLanguage = "") {
  settings ??= fetch("api/locale", { headers: { Accept: "application/json" } }).then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
  const { default_language: defaultLanguage, time_zone: zone } = await settings;
  if (zone) timeZone = zone;
  await use(chosen(username, accountLanguage, defaultLanguage));
}

async function use(tag) {
  const [these, english] = await Promise.all([catalog(tag), catalog("en")]);
  language = tag;
  words = these;
  fallback = english;
  document.documentElement.lang = tag;
  formats.clear();
}

/** Whether someone chose a language with the switch in this browser. */
export const chosenInThisBrowser = () => Boolean(supported(localStorage.getItem(CHOICE)));

/** The officer chose `tag`: remembered for the account (and for this browser), and shown at once. */
export async function chooseLanguage(tag, username = "") {
  localStorage.setItem(CHOICE, tag);
  if (username) localStorage.setItem(accountKey(username), tag);
  await use(tag);
}

const formats = new Map();
function format(kind, make) {
  if (!formats.has(kind)) formats.set(kind, make());
  return formats.get(kind);
}

/** A number in the language's form ("1.992,9" in pt-BR), with at most `digits` decimals. */
export function number(value, digits = 6, minimum = 0) {
  return format(`n${digits}.${minimum}`, () => new Intl.NumberFormat(language, { maximumFractionDigits: digits, minimumFractionDigits: minimum })).format(value);
}

/** Money in reais: "R$ 1.800,00". */
export const money = (value) => `R$ ${number(value, 2, 2)}`;

/** A share as a percentage: "27,0 %". */
export const percent = (value, digits = 1) => `${number(value * 100, digits, digits)} %`;

/** A fixed number of decimals, for measures (AUC 0,6416). */
export const fixed = (value, digits) => number(value, digits, digits);

/** A date and time in the deployment's time zone: "04/12/2026 14:05". */
export function when(iso) {
  if (!iso) return "—";
  const parts = Object.fromEntries(format("when", () => new Intl.DateTimeFormat(language, {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone,
  })).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return language === "en" ? `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`
    : `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}

/** The calendar day (YYYY-MM-DD) of `iso` in the deployment's time zone. */
export function day(iso) {
  const parts = Object.fromEntries(format("day", () => new Intl.DateTimeFormat("en", {
    year: "numeric", month: "2-digit", day: "2-digit", timeZone,
  })).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Minutes the deployment's time zone is ahead of UTC now (-180 in São Paulo), for day filters. */
export function zoneOffsetMinutes(at = new Date()) {
  const parts = Object.fromEntries(format("offset", () => new Intl.DateTimeFormat("en", {
    year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", hourCycle: "h23", timeZone,
  })).formatToParts(at).map((p) => [p.type, Number(p.value)]));
  const local = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
  const minute = at.getTime() - at.getUTCSeconds() * 1000 - at.getUTCMilliseconds();
  return Math.round((local - minute) / 60000);
}

/** A date typed as dd/mm/aaaa (or yyyy-mm-dd) as YYYY-MM-DD; "" for an empty field; null when it is not a date. */
export function parseDay(text) {
  const value = text.trim();
  if (!value) return "";
  let match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  const [y, m, d] = match ? [match[3], match[2], match[1]] : (match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value)) ? [match[1], match[2], match[3]] : [];
  if (!y) return null;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) return null;
  return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** The language's name in itself, for the switch. */
export const languageName = (tag) => ({ "pt-BR": "Português", en: "English" })[tag];
