"""The offline engine and the plan command: inventory, exposure, compare, cost, docs that quote it."""
