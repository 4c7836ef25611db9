"""The store conformance suite: one test file per operation, run against every backend."""
