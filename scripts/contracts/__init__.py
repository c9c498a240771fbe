"""Tooling of the multi-workflow telemetry contract: `contracts check`, `validate`, `generate`."""
