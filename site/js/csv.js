// CSV files as spreadsheets in the page's language open them: in Portuguese, semicolons and
// decimal commas (Excel in Brazil), in English, commas and decimal points; always UTF-8 with a
// byte-order mark and CRLF line ends, so that a double click opens accented names in columns.
import { currentLanguage } from "./i18n.js";

/** The separator and decimal mark of the page's language. */
export function dialect() {
  return currentLanguage() === "pt-BR" ? { separator: ";", decimal: "," } : { separator: ",", decimal: "." };
}

/** A CSV field: numbers with the dialect's decimal mark; quoted when it holds a separator, a quote or
 *  a line break; a leading = + - @ is prefixed with ' so that a spreadsheet never runs it as a formula. */
function field(value, { separator, decimal }) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value).replace(".", decimal);
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return text.includes(separator) || /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows (arrays, the header first) as a CSV file. */
export function csvBlob(rows) {
  const chosen = dialect();
  const text = rows.map((row) => row.map((value) => field(value, chosen)).join(chosen.separator)).join("\r\n") + "\r\n";
  return new Blob(["\ufeff" + text], { type: "text/csv;charset=utf-8" });
}
