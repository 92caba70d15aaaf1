"""Delivery: bootstrap roles and their permissions, the workflows, the example app."""
