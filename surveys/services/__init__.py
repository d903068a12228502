"""Write operations of the surveys app.

Plain functions that validate, write and audit in one transaction.
"""
