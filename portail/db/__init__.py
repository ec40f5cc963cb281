"""The data layer: one owner for every table, one API per stage, SQLite or PostgreSQL.

    store = open_store(data_dir)        # the tables of a data directory (or PORTAIL_DATABASE_URL)
    store.save_page(...)                # the crawler's API (`crawling.py`)
    store.urls_to_index()               # the indexer's (`indexing.py`)
    store.corrections()                 # the console's (`console.py`)
    store.runs(source)                  # the scheduler's (`scheduling.py`)
    store.texts(urls)                   # the web's read-only queries (`reading.py`)
    Reader(reading_engine(data_dir).connect()).texts(urls)  # the same, on a read-only connection
    store.news_items()                  # the news stream: feed entries and items (`news.py`)
    store.failed_logins(client, 600)    # what web nodes share (`nodes.py`)
    store.selfassessment(token)         # the self-assessment's anonymous takes
    store.claim_outbox(at, lease)       # the export hotline's requests and mails (`hotline.py`)

The schema is the one of `tables.py`, reached through the migrations (`portail db upgrade`);
`open_store` refuses a database at another version (SchemaError). The read methods return
typed records (`records.py`: `PageRecord`, `CrawlRecord`…), so that mypy checks the column
names and value types their callers use.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from portail.db.base import Row, now
from portail.db.console import ConsoleAPI, RecrawlRequest, StoredCorrection
from portail.db.crawling import CrawlCounts, CrawlingAPI
from portail.db.engine import SchemaError, database_url, ensure_current, make_engine
from portail.db.hotline import HotlineAPI
from portail.db.indexing import IndexingAPI
from portail.db.news import NewsAPI
from portail.db.nodes import NodesAPI
from portail.db.reading import CrawledSource, Reader, ReadingAPI
from portail.db.records import (
    CorrectionRecord,
    CrawlErrorRecord,
    CrawlRecord,
    EnrichmentRecord,
    ExportRecord,
    FeedEntryRecord,
    FeedItemRecord,
    FetchRecord,
    FoundPageRecord,
    HotlineEventRecord,
    HotlinePurgeRecord,
    HotlineReasonRecord,
    HotlineRequestRecord,
    NewsItemRecord,
    NewsPageRecord,
    OutboxRecord,
    PageCountRecord,
    PageRecord,
    PageVersionRecord,
    RecrawlRecord,
    ReviewRecord,
    RunRecord,
    SameContentRecord,
    SelfAssessmentRecord,
    SessionRecord,
    SignedNewsItemRecord,
    SourceRecord,
)
from portail.db.scheduling import FAILURES_TO_FLAG, SchedulingAPI
from portail.db.selfassessment import SelfAssessment, SelfAssessmentAPI


class Store(
    CrawlingAPI,
    IndexingAPI,
    ConsoleAPI,
    SchedulingAPI,
    ReadingAPI,
    NodesAPI,
    SelfAssessmentAPI,
    HotlineAPI,
    NewsAPI,
):
    """The tables of one database, with every stage's API."""

    def __init__(self, engine: Engine):
        super().__init__(engine)


def open_store(data_dir: Path, read_only: bool = False) -> Store:
    """The store of a data directory (or of PORTAIL_DATABASE_URL), at the current schema."""
    url = database_url(data_dir)
    if read_only and url.startswith("sqlite") and not Path(url.split("///", 1)[1]).exists():
        read_only = False  # nothing to read yet: create it (a fresh data directory)
    engine = make_engine(url, read_only=read_only)
    if not read_only:
        ensure_current(engine)
    return Store(engine)


def reading_engine(data_dir: Path) -> Engine:
    """A read-only engine on the store of a data directory (or PORTAIL_DATABASE_URL), which
    must exist: what public web pages read through (`Reader`)."""
    return make_engine(database_url(data_dir), read_only=True)


__all__ = [
    "FAILURES_TO_FLAG",
    "CorrectionRecord",
    "CrawlCounts",
    "CrawlErrorRecord",
    "CrawlRecord",
    "CrawledSource",
    "EnrichmentRecord",
    "ExportRecord",
    "FeedEntryRecord",
    "FeedItemRecord",
    "FetchRecord",
    "FoundPageRecord",
    "HotlineEventRecord",
    "HotlinePurgeRecord",
    "HotlineReasonRecord",
    "HotlineRequestRecord",
    "NewsItemRecord",
    "NewsPageRecord",
    "OutboxRecord",
    "PageCountRecord",
    "PageRecord",
    "PageVersionRecord",
    "Reader",
    "RecrawlRecord",
    "RecrawlRequest",
    "ReviewRecord",
    "Row",
    "RunRecord",
    "SameContentRecord",
    "SchemaError",
    "SelfAssessment",
    "SelfAssessmentRecord",
    "SessionRecord",
    "SignedNewsItemRecord",
    "SourceRecord",
    "Store",
    "StoredCorrection",
    "now",
    "open_store",
    "reading_engine",
]
