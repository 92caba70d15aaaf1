"""The Service component, one file per step of it."""
