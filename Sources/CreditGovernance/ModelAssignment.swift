/// What a row of the model register does.
public enum ModelAssignmentAction: String, Sendable, Equatable, CaseIterable {
    /// Makes a model the champion: the one whose results officers see.
    case promote
    /// Returns the champion to the one it replaced.
    case rollback
    /// Sets the challenger, scored beside the champion in the shadow (`model` nil: none).
    case challenge
}

/// One row of the model register: who moved which model where, and when. The register is
/// append-only; ``ModelRegister`` replays it into the champion and challenger in force.
public struct ModelAssignment: Sendable, Equatable {
    public var seq: Int64
    public var at: Double
    public var action: ModelAssignmentAction
    /// The model's id (`model_id` in its file); nil for a rollback or a cleared challenger.
    public var model: String?
    /// The model file's name in the models folder; nil when `model` is.
    public var file: String?
    public var actorName: String

    public init(seq: Int64, at: Double, action: ModelAssignmentAction, model: String?, file: String?, actorName: String) {
        self.seq = seq
        self.at = at
        self.action = action
        self.model = model
        self.file = file
        self.actorName = actorName
    }
}

/// A model version in force: its id and its file in the models folder.
public struct ModelVersion: Sendable, Equatable, Hashable {
    public var id: String
    public var file: String

    public init(id: String, file: String) {
        self.id = id
        self.file = file
    }
}
