import CreditGovernance
import Testing

/// The rules of review rounds, each written once in ``ReviewRules``.
struct ReviewRulesTests {
    @Test(arguments: [
        ("reject", FinalDecision.approve, true), ("approve", .decline, true), ("reject", .decline, false), ("approve", .approve, false),
        ("review", .approve, false), ("review", .decline, false), ("unknown", .approve, false),
    ])
    func anOverrideGoesAgainstTheModelsApproveOrReject(_ model: String, _ final: FinalDecision, _ overrides: Bool) {
        #expect(ReviewRules.isOverride(modelDecision: model, finalDecision: final) == overrides)
    }

    @Test func aCustomersRequestIsDueAfterTheReviewDaysAndOverdueOnlyAfterThatWhileOpen() {
        let due = ReviewRules.dueAt(requestedAt: 1_000, reviewDays: 15)
        #expect(due == 1_000 + 15 * 86_400)
        var review = Review(jobID: "a", owner: 1, ownerName: "olga", origin: .customer, requestNote: nil, openedAt: 1_000)
        review.dueAt = due
        #expect(!ReviewRules.isOverdue(review, now: due))
        #expect(ReviewRules.isOverdue(review, now: due + 1))
        review.decision = .approve
        #expect(!ReviewRules.isOverdue(review, now: due + 1), "a decided request is not overdue")
        review.dueAt = nil
        review.decision = nil
        #expect(!ReviewRules.isOverdue(review, now: .infinity), "a round without a due date never is")
    }

    @Test func aLaterRoundIsNotForThePreviousRoundsReviewer() {
        var review = Review(jobID: "a", owner: 1, ownerName: "olga", origin: .customer, requestNote: nil, openedAt: 1)
        #expect(ReviewRules.mayDecide(review, reviewer: 7), "a first round: anyone")
        review.round = 2
        review.previousDeciderID = 7
        #expect(!ReviewRules.mayDecide(review, reviewer: 7))
        #expect(ReviewRules.mayDecide(review, reviewer: 8))
    }

    @Test func documentsAreStoredInTheChecklistsOrderAndUnknownCodesAreLeftOut() {
        #expect(ReviewDocument.stored([.other, .paySlip, .bankStatement]) == "pay_slip,bank_statement,other")
        #expect(ReviewDocument.list("pay_slip,selfie,tax_return") == [.paySlip, .taxReturn])
        #expect(ReviewDocument.list(nil) == [])
    }
}
