"""The `portail` command line: the top layer, which drives every other (crawlers, indexer,
web, scheduler, demo web). Every message for people is in French."""

from portail_cli.main import main

__all__ = ["main"]
