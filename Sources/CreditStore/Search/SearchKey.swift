/// What the history search keeps of one job, folded by ``SearchText``: the name's words as one
/// text, the client id as one word, and the words of the word index (`search_words`).
struct SearchKey: Equatable, Sendable {
    /// The name's words, each after a space (` maria da conceicao`), so that `LIKE '% conc%'`
    /// finds a word by its start; nil without a name (and after a retention purge).
    var name: String?
    /// The client id's letters and digits as one word (`70001`; `AB-12/3` → `ab123`); nil without one.
    var client: String?
    /// The index's words: the name's but those it leaves out (``SearchText/unindexed``), each
    /// once, then the client id's unless it is digits alone, which the index by client id
    /// (`jobs_by_client`) holds already.
    var words: [String]

    init(name: String?, clientID: String?) {
        let nameWords = name.map(SearchText.words) ?? []
        self.name = nameWords.isEmpty ? nil : nameWords.map { " " + $0 }.joined()
        let client = clientID.map { SearchText.words($0).joined() } ?? ""
        self.client = client.isEmpty ? nil : client
        let clientWord = clientID.map(SearchText.isDigits) == true ? nil : self.client
        var seen: Set<String> = []
        words = (nameWords.filter { !SearchText.unindexed.contains($0) } + (clientWord.map { [$0] } ?? [])).filter { seen.insert($0).inserted }
    }

    /// The index words that come from the name alone: what a retention purge removes (the client
    /// id stays searchable, as it stays shown).
    var nameOnlyWords: [String] { words.filter { $0 != client } }
}
