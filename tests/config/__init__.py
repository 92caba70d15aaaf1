"""One home per config section: defaults per environment and every named error (key, value, fix)."""
