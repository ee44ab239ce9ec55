import CreditHTTP
import CreditStore
import CreditSystem

/// The filters of `GET /api/predictions`, read from the query and written back into its `next` link.
extension CreditService {
    /// The filter parameters, in the order a `next` link repeats them.
    static let historyFilterKeys = ["q", "decision", "from", "to", "tz_offset_minutes", "batch"]
    /// Time zones reach from UTC-12 to UTC+14; a day's bounds may be taken in any of them.
    static let timeZoneOffsets = -840...840

    /// The store's query for the filters in `items`; each bad parameter gets its own message in `errors`.
    static func historyQuery(_ items: [String: String], errors: inout [String: [String]]) -> HistoryQuery {
        var query = HistoryQuery()
        if let text = items["q"], !text.isEmpty {
            do { query.text = try TextQuery(text) } catch { errors["q"] = [error.description] }
        }
        if let text = items["decision"] {
            if let decision = HistoryQuery.Decision(rawValue: text) {
                query.decision = decision
            } else {
                errors["decision"] = ["decision must be one of: approve, review, reject, pending."]
            }
        }
        if let text = items["batch"] {
            if let batches = HistoryQuery.Batches(rawValue: text) {
                query.batches = batches
            } else {
                errors["batch"] = ["batch must be include (the default), exclude or only."]
            }
        }
        var offset = 0
        if let text = items["tz_offset_minutes"] {
            if let minutes = Int(text), timeZoneOffsets.contains(minutes) {
                offset = minutes
            } else {
                errors["tz_offset_minutes"] = [
                    "tz_offset_minutes must be a whole number from -840 to 840: local time minus UTC in minutes (-180 in Brasília)."
                ]
            }
        }
        // A day runs from its midnight to the next in the time zone `offset` minutes ahead of UTC.
        func day(_ key: String, next: Int) -> Double? {
            guard let text = items[key] else { return nil }
            guard let days = CalendarDay.days(text) else {
                errors[key] = ["\(key) must be a date YYYY-MM-DD from 1970 on."]
                return nil
            }
            return Double((days + next) * 86_400 - offset * 60)
        }
        query.submittedFrom = day("from", next: 0)
        query.submittedBefore = day("to", next: 1)
        if let from = query.submittedFrom, let before = query.submittedBefore, before <= from { errors["to"] = ["to must be on or after from."] }
        return query
    }

    /// A link to `path` under the request's mount prefix with `items` as its query, in that order.
    static func link(_ request: HTTPRequest, _ path: String, _ items: [(String, String)]) -> String {
        request.basePath + path + "?" + items.map { "\($0.0)=\(FormDecoding.percentEncoded($0.1))" }.joined(separator: "&")
    }
}
