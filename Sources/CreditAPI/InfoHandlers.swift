import CreditModel
import Foundation
import CreditJSON

extension CreditService {
    /// `GET /api/model`: the active model's card.
    func modelCard() throws -> HTTPResponse {
        guard let card = modelInfo.card() else {
            throw Problem.unavailable("The model file \(configuration.modelPath) cannot be read; set CREDIT_MODEL to a model trained with `credit train`.")
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: card)
    }

    /// `GET /api/health`: database, queue and worker; 503 when the service cannot take work.
    func health() throws -> HTTPResponse {
        let now = clock()
        guard let queue = try? stores.withStore({ try $0.health(now: now) }) else {
            return JSONOutput.object(["status": .string("unavailable"), "database": .string("unreachable")]).response(status: 503)
        }
        let workerAlive = (queue.lastHeartbeatAge ?? .infinity) < 30
        return JSONOutput.object([
            "status": .string(workerAlive ? "ok" : "degraded"),
            "database": .string("ok"),
            "queue": .object(["queued": .number(Double(queue.queued)), "running": .number(Double(queue.running)),
                              "oldest_queued_seconds": queue.oldestQueuedAge.map { .number(($0 * 1000).rounded() / 1000) } ?? .null]),
            "worker": .object(["last_heartbeat_seconds": queue.lastHeartbeatAge.map { .number(($0 * 1000).rounded() / 1000) } ?? .null,
                               "model": queue.workerModel.map { .string($0) } ?? .null,
                               "alive": .bool(workerAlive)]),
        ]).response()
    }
}

/// The model card JSON for `/api/model`, rebuilt when the model file changes.
final class ModelInfo: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var cached: (modified: Date, card: [UInt8])?

    init(path: String) {
        self.path = path
    }

    func card() -> [UInt8]? {
        guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return nil }
        lock.lock()
        defer { lock.unlock() }
        if let cached, cached.modified == modified { return cached.card }
        guard let document = try? ModelDocument.load(path: path) else { return nil }
        let card = Self.summary(document).bytes
        cached = (modified, card)
        return card
    }

    static func summary(_ document: ModelDocument) -> JSONOutput {
        let valid = document.metrics.valid
        let summary = valid.summary
        return .object([
            "id": .string(document.modelId), "kind": .string(document.kind.rawValue), "trained_at": .string(document.createdAt),
            "format_version": .number(Double(document.formatVersion)),
            "training_data": .object(["train_file": .string(document.trainingData.trainFile), "train_rows": .number(Double(document.trainingData.trainRows)),
                                      "train_sha256": .string(document.trainingData.trainSHA256), "valid_file": .string(document.trainingData.validFile),
                                      "valid_rows": .number(Double(document.trainingData.validRows))]),
            "inputs": .array(document.pipeline.encoders.map { .string($0.field) }),
            "validation": .object(["rows": .number(Double(summary.rows)), "auc": .number(summary.auc), "gini": .number(summary.gini),
                                   "ks": .number(summary.ks), "brier": .number(summary.brier), "logloss": .number(summary.logloss),
                                   "bad_rate": .number(summary.badRate), "approval_rate": .number(valid.policy.approvalRate),
                                   "calibration": .array(valid.calibration.map { .object(["mean_predicted": .number($0.meanPredicted),
                                                                                         "observed_rate": .number($0.observedRate),
                                                                                         "count": .number(Double($0.count))]) })]),
            "policy": .object(["approve_below": .number(document.policy.approveBelow), "reject_from": .number(document.policy.rejectFrom),
                               "rule": .string(document.policy.rule)]),
            "score_scale": .object(["base_score": .number(document.scoreScale.baseScore), "base_odds": .number(document.scoreScale.baseOdds),
                                    "points_to_double_odds": .number(document.scoreScale.pointsToDoubleOdds)]),
            "card": .object(["markdown": .string("/models/default.md"), "roc": .string("/models/default-roc.svg"),
                             "calibration": .string("/models/default-calibration.svg"), "scores": .string("/models/default-scores.svg")]),
        ])
    }
}
