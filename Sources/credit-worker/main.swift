// The worker entry point is written in issue 3.
