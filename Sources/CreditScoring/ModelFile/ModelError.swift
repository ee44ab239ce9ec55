/// Errors from training, loading or applying a model, with messages a user can act on.
public enum ModelError: Error, Sendable, CustomStringConvertible, Equatable {
    case unlabelledData(String)
    case invalidTrainingData(String)
    case invalidOption(String)
    case modelFile(String)

    public var description: String {
        switch self {
        case .unlabelledData(let text): return "Unlabelled data: \(text)."
        case .invalidTrainingData(let text): return "Cannot train: \(text)."
        case .invalidOption(let text): return "Invalid option: \(text)."
        case .modelFile(let text): return "Model file: \(text)."
        }
    }
}
