"""The program layer: the stack-file schema, its dev/prod defaults and checks, and the wiring."""
