import CreditAuth
import CreditSystem

/// Writes a ``DecisionLetter`` as a standalone HTML document of one A4 page: its one style sheet
/// inline (allowed by its hash, ``styleSource``), no script, no image, every value HTML-escaped.
public enum DecisionLetterHTML {
    /// The letter's style sheet, print first: one A4 page with its margins, black on white.
    static let style = """
        @page{size:A4;margin:10mm 15mm}
        *{box-sizing:border-box}
        html{color:#111;background:#fff}
        body{margin:0 auto;max-width:178mm;padding:8mm 0;font:9.5pt/1.32 "DejaVu Sans","Liberation Sans",Arial,sans-serif}
        header{border-bottom:2px solid #111;padding-bottom:2mm;margin-bottom:4mm}
        header p{margin:0}
        .lender{font-size:12pt;font-weight:bold}
        h1{font-size:14pt;margin:0 0 2mm}
        h2{font-size:10.5pt;margin:3.5mm 0 1mm}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:0.3mm 4mm;margin:0 0 3mm}
        dt{font-weight:bold}
        dd{margin:0;overflow-wrap:anywhere}
        p{margin:0 0 1.5mm}
        ul{margin:0 0 1.5mm;padding-left:6mm}
        li{margin-bottom:0.5mm}
        .outcome{display:inline-block;font-size:12pt;font-weight:bold;border:2px solid #111;padding:0.5mm 4mm;margin-bottom:1.5mm}
        .rights{border-top:1px solid #111;margin-top:4mm;padding-top:0.5mm;font-size:8.5pt}
        .closing{margin-top:3mm}
        @media print{body{padding:0;max-width:none}}
        """

    /// The CSP source that allows ``style`` and nothing else inline: `'sha256-…'`.
    public static let styleSource = "'sha256-" + Base64URL.encodePadded(SHA256Digest.digest(Array(style.utf8))) + "'"

    /// The letter's own Content-Security-Policy: its style by hash; no script, image, frame or form.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src \(styleSource); base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// The complete document.
    static func document(_ letter: DecisionLetter) -> String {
        let words = DecisionLetterWords.of(letter.language)
        let lender = letter.lender
        var html = "<!doctype html>\n<html lang=\"\(letter.language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<title>\(escape(words.title)) — \(escape(lender.name))</title>\n<style>\(style)</style>\n</head>\n<body>\n"
        html += "<header>\n<p class=\"lender\">\(escape(lender.name))</p>\n"
        html += "<p>\(escape(words.cnpjLabel)) \(escape(lender.cnpj))</p>\n<p>\(escape(lender.address))</p>\n"
        html += "<p>\(escape(words.contactLabel)): \(escape(lender.contact))</p>\n</header>\n<main>\n"
        html += "<h1>\(escape(words.title))</h1>\n<dl>\n"
        html += "<dt>\(escape(words.dateLabel))</dt><dd>\(escape(letter.date))</dd>\n"
        html += "<dt>\(escape(words.referenceLabel))</dt><dd>\(escape(letter.reference))</dd>\n</dl>\n"
        html += paragraph(letter.applicantName.map(words.salutation) ?? words.neutralSalutation)
        html += paragraph(words.introduction)
        html += heading(words.decisionHeading)
        switch letter.outcome {
        case .approved:
            html += "<p class=\"outcome\">\(escape(words.approved))</p>\n" + paragraph(words.approvedSentence)
            html += heading(words.strengthsHeading) + list(letter.reasons, fallback: words.strengthsFallback)
        case .notApproved:
            html += "<p class=\"outcome\">\(escape(words.notApproved))</p>\n" + paragraph(words.notApprovedSentence)
            html += heading(words.reasonsHeading) + list(letter.reasons, fallback: words.reasonsFallback)
        case .underAnalysis:
            html += "<p class=\"outcome\">\(escape(words.underAnalysis))</p>\n" + paragraph(words.underAnalysisSentence(letter.reviewDays))
        }
        if !letter.recourse.isEmpty {
            html += heading(words.recourseHeading) + paragraph(words.recourseIntroduction) + list(letter.recourse, fallback: "")
        }
        html += "<section class=\"rights\">\n" + heading(words.rightsHeading)
        html += paragraph(words.automatedNotice) + paragraph(words.lgpdRight) + paragraph(words.positiveRegisterRight)
        html += paragraph(words.howToAsk(lender.contact, letter.reference, letter.reviewDays)) + "</section>\n"
        html += "<p class=\"closing\">\(escape(words.closing))<br>\(escape(lender.name))</p>\n"
        return html + "</main>\n</body>\n</html>\n"
    }

    private static func heading(_ text: String) -> String { "<h2>\(escape(text))</h2>\n" }
    private static func paragraph(_ text: String) -> String { "<p>\(escape(text))</p>\n" }
    private static func list(_ items: [String], fallback: String) -> String {
        items.isEmpty ? paragraph(fallback) : "<ul>\n" + items.map { "<li>\(escape($0))</li>\n" }.joined() + "</ul>\n"
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` as character references: safe in text and in quoted attributes.
    static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(character)
            }
        }
        return output
    }
}
