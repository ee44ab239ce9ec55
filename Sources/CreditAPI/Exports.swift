// The service's settings live in CreditConfig (the worker and the command line read them too);
// everything that builds a CreditService sees them through this module as before.
@_exported import CreditConfig
// The request and response types come from CreditHTTP, shared with the FastCGI layer.
@_exported import CreditHTTP
