"""The offline plan: run the real program under the mock engine and show what a stack would create."""
