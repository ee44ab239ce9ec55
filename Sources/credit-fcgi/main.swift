// The responder entry point is written in issue 3.
