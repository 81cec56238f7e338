"""Adapters: the domain's ports implemented with real technology (SQLModel, holidays, Jinja2)."""
