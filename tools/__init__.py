"""What is neither product nor test: snapshot writing, the mutation check, benchmarks, the database tunnel."""
