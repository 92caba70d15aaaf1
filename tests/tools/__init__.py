"""The tools that are neither product nor test: mutation check, database tunnel."""
