"""Settings -> component Args -> components, one module per area, in the order the program builds them.

Each function takes validated settings (``stack.config.StackSettings``) and the components built
before it, and returns what later steps need. No function here reads the stack file itself.
"""
