"""The Cluster component."""
