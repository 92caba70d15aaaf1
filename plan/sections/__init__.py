"""The sections of ``python -m plan``'s report, one module each: pure functions over a captured graph.

``plan.report`` prints them in order (and keeps the names other code imports from it).
"""
