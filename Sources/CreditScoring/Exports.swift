@_exported import CreditMonitoring
// The applicant schema and the monitoring bins are part of the engine's interface (a model
// scores `Applicant`s and keeps `BinnedShares`): everything using CreditScoring sees them.
@_exported import CreditSchema
