"""The app the flows work with, built once per process from the environment."""

from functools import cache

from coordination.bootstrap import App, bootstrap


@cache
def app() -> App:
    return bootstrap()
