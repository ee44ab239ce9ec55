// Numbers as Brazilian officers type them ("1.992,90") and as others do ("1,992.90"), read
// unambiguously, or refused with a question when they could mean two different numbers.
import { currentLanguage, money, number, t } from "./i18n.js";

/** `value` in the page's form, with the unit: "R$ 1.992,90", "24 meses". */
export function formatNumber(value, unit) {
  if (unit === "R$") return money(value);
  return unit ? `${number(value)} ${unit}` : number(value);
}

/** Digits in groups of three after the first group of one to three. */
const grouped = (text, separator) => new RegExp(`^\\d{1,3}(\\${separator}\\d{3})+$`).test(text);

/**
 * Reads a number typed with a decimal comma or point and optional thousands separators.
 * Returns { value } or { error } (an error asks rather than guesses).
 *   1.992,90  1992,90  1992.90  1,992.90  1.992.000  1992  -> values
 *   1.992  1,992  (one separator before exactly three digits) -> asked, unless the field is whole,
 *   or it is money typed in Portuguese, where a dot before three digits groups thousands (1.800 = 1800)
 */
export function parseNumber(raw, { integer = false, money: isMoney = false } = {}) {
  const text = raw.replace(/[\s\u00a0]/g, "").replace(/^R\$/i, "");
  if (!/^-?[\d.,]+$/.test(text) || !/\d/.test(text)) return { error: t("number.digits") };
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  const lastComma = body.lastIndexOf(","), lastPoint = body.lastIndexOf(".");
  let whole, fraction = "";
  if (lastComma >= 0 && lastPoint >= 0) {
    // Both: the last one separates the decimals, the other groups thousands.
    const decimal = lastComma > lastPoint ? "," : ".";
    const thousands = decimal === "," ? "." : ",";
    const at = Math.max(lastComma, lastPoint);
    whole = body.slice(0, at);
    fraction = body.slice(at + 1);
    if (!grouped(whole, thousands) || fraction.includes(thousands) || fraction === "") return { error: t("number.write_as") };
    whole = whole.split(thousands).join("");
  } else if (lastComma >= 0 || lastPoint >= 0) {
    const separator = lastComma >= 0 ? "," : ".";
    const parts = body.split(separator);
    if (parts.length > 2) {
      if (!grouped(body, separator)) return { error: t("number.write_as") };
      whole = parts.join("");
    } else if (parts[1].length === 3 && parts[0].length <= 3 && parts[0] !== "0") {
      // "1.992" is 1992 to a Brazilian and 1.992 to others: asked, unless it is money typed in
      // Portuguese (a dot groups thousands there) or the field takes whole numbers only.
      if (integer || (isMoney && separator === "." && currentLanguage() === "pt-BR")) whole = parts.join("");
      else return { error: t(separator === "." ? "number.ambiguous_point" : "number.ambiguous_comma", { whole: parts.join(""), decimal: `${parts[0]},${parts[1]}0` }) };
    } else {
      [whole, fraction] = parts;
      if (whole === "" || fraction === "") return { error: t("number.both_sides") };
    }
  } else {
    whole = body;
  }
  const value = Number(`${negative ? "-" : ""}${whole}${fraction ? "." + fraction : ""}`);
  if (!Number.isFinite(value)) return { error: t("number.not_a_number") };
  if (integer && !Number.isInteger(value)) return { error: t("number.whole") };
  return { value };
}
