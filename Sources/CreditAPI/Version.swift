/// Routes and handlers of the HTTP API.
public enum CreditAPIVersion { public static let current = 1 }
