import CreditGovernance
import Testing

/// The one chain checker: a deleted, edited or relinked row is found, page by page.
struct AuditChainVerifierTests {
    /// A chain of `count` rows, each linked to the one before.
    static func chain(_ count: Int) -> [AuditRecord] {
        var previous = AuditChain.origin
        return (1...Int64(count)).map { seq in
            let entry = AuditEntry(actor: seq, actorName: "user\(seq)", action: .signIn, object: "", detail: "row \(seq)", address: "127.0.0.1")
            let hash = AuditChain.hash(seq: seq, at: Double(seq), entry: entry, previousHash: previous)
            defer { previous = hash }
            return AuditRecord(seq: seq, at: Double(seq), entry: entry, previousHash: previous, hash: hash)
        }
    }

    @Test func anIntactChainVerifiesAcrossPages() throws {
        var verifier = AuditChainVerifier()
        let rows = Self.chain(7)
        try verifier.check(Array(rows[0..<3]))
        try verifier.check(Array(rows[3...]))
        #expect(verifier.verified == 7)
        #expect(verifier.lastHash == rows[6].hash)
    }

    @Test func aDeletedMiddleRowIsNamed() {
        var rows = Self.chain(5)
        rows.remove(at: 2)
        var verifier = AuditChainVerifier()
        do {
            try verifier.check(rows)
            Issue.record("a chain without row 3 verified")
        } catch {
            #expect(error.reason == .missing(3))
            #expect(error.seq == 4)
            #expect(error.verifiedBefore == 2)
            #expect(error.description.contains("row 3 is missing"))
        }
    }

    @Test func anEditedRowAndARelinkedRowAreTold() {
        var edited = Self.chain(4)
        edited[1].entry.detail = "changed"
        #expect(AuditChain.firstBroken(edited)?.seq == 2)
        var relinked = Self.chain(4)
        relinked[2].previousHash = relinked[0].hash
        var verifier = AuditChainVerifier()
        do {
            try verifier.check(relinked)
            Issue.record("a relinked row verified")
        } catch {
            #expect(error.reason == .unlinked)
            #expect(error.seq == 3)
        }
        #expect(AuditChain.firstBroken(Self.chain(4)) == nil)
    }

    @Test func accountRulesAreTheOnesEveryEntryPointUses() {
        #expect(AccountRules.isValidUserName("maria.silva@loja-1"))
        #expect(!AccountRules.isValidUserName(""))
        #expect(!AccountRules.isValidUserName("maria silva"))
        #expect(!AccountRules.isValidUserName(String(repeating: "a", count: 101)))
        #expect(AccountRules.passwordProblem("short") == "A password needs at least 10 characters.")
        #expect(AccountRules.passwordProblem(String(repeating: "é", count: 600)) == "A password has at most 1024 bytes.")
        #expect(AccountRules.passwordProblem("correct horse battery") == nil)
    }
}
