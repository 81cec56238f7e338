"""Prefect flows and tasks: thin wrappers that call the services."""
