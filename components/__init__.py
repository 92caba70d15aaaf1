"""Reusable Pulumi components for webstack."""
