/// One credit application: a value for every field of an ``ApplicantSchema``, in schema order.
///
/// Build one with ``ApplicantSchema/validate(_:)`` (from JSON) or read them from a PAKDD file with
/// ``PAKDDReader``. Values are already normalised: flags are 0 or 1, whole-number codes are numbers.
public struct Applicant: Sendable, Hashable {
    /// Values indexed like ``ApplicantSchema/fields``.
    public var values: [FieldValue]

    public init(values: [FieldValue]) {
        self.values = values
    }

    /// The value of the field at `index` in the schema.
    @inlinable public subscript(index: Int) -> FieldValue {
        get { values[index] }
        set { values[index] = newValue }
    }

    /// The applicant's name (`applicant_name`), if given: shown in histories, never scored.
    public func name(in schema: ApplicantSchema) -> String? {
        schema.index(of: "applicant_name").flatMap { values[$0].display }
    }

    /// The lender's reference (`id_client`), if given, as text.
    public func clientID(in schema: ApplicantSchema) -> String? {
        schema.index(of: "id_client").flatMap { values[$0].display }
    }
}

/// Every problem found in a submitted application, by field name, each with messages a loan officer can act on.
public struct ApplicantValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Field name (or "" for the body as a whole) to its messages.
    public var fieldErrors: [String: [String]]

    public init(fieldErrors: [String: [String]]) {
        self.fieldErrors = fieldErrors
    }

    public var description: String {
        fieldErrors.keys.sorted().map { key in
            "\(key.isEmpty ? "application" : key): \(fieldErrors[key]!.joined(separator: "; "))"
        }.joined(separator: "\n")
    }
}
