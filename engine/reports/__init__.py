"""Figures for the Department of Home Affairs and the Provincial Office, as plain dicts from SQL.

Each section is its own query module; the engine returns figures and ``service`` renders them.
"""
