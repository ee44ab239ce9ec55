import CreditJSON

/// Why an application sent as JSON text cannot be read (``ApplicantSchema/validate(jsonObject:maxDepth:)``):
/// the text is not JSON, or the application in it is invalid.
public enum ApplicationReadError: Error, Sendable, Equatable {
    case invalidJSON(JSONParseError)
    case invalid(ApplicantValidationError)
}
