// The service's settings live in CreditConfig (the worker and the command line read them too);
// everything that builds a CreditService sees them through this module as before.
@_exported import CreditConfig
