"""Planning: the intervention and offer catalogues, priorities, portfolios, demand and matching.

The floor above scoring: it reads score runs and calls the pure engine (``scoring.engine``:
priority, portfolio and matching maths) and is read by exchange, reports and the API.
"""
