"""The rows the Store returns, typed: one TypedDict per shape, so that mypy checks every
caller's column names and value types (`row["titel"]` or `row["version"] + "x"` fail).

A record named after a table holds every column of it (`PageRecord` is a row of `pages`); a
query that selects a subset or joins tables has its own record. Values are as stored: dates
are ISO 8601 text, JSON is text, booleans are integers (0 or 1); a nullable column, or one
read through an outer join, may be None. tests/test_db.py compares each record with
`tables.py`, and the values the Store reads with the annotations.
"""

from __future__ import annotations

from typing import TypedDict

# -- the crawler's ------------------------------------------------------------------------------


class PageRecord(TypedDict):
    """A row of `pages`."""

    url: str
    source: str
    status: str
    fetched_url: str | None
    http_status: int | None
    content_type: str | None
    title: str
    text: str
    description: str
    language: str
    published: str | None
    modified: str | None
    structured: str
    links: str
    content_hash: str | None
    etag: str | None
    last_modified: str | None
    first_seen: str
    last_fetched: str | None
    last_changed: str | None
    last_seen: str | None
    gone_since: str | None
    missed: int
    version: int


class PageVersionRecord(TypedDict):
    """A row of `page_versions`: a content a page had before one of its changes."""

    url: str
    version: int
    crawl_id: int | None
    replaced: str
    status: str
    title: str
    text: str
    description: str
    language: str
    published: str | None
    modified: str | None
    structured: str
    links: str
    content_hash: str | None
    content_type: str | None


class FetchRecord(TypedDict):
    """A row of `fetches` with the links and status of the page it led to (`fetch_info`)."""

    url: str
    page_url: str
    etag: str | None
    last_modified: str | None
    links: str
    status: str


class CrawlRecord(TypedDict):
    """A row of `crawls`."""

    id: int
    source: str
    started: str
    finished: str | None
    status: str
    reason: str | None
    pages_new: int
    pages_changed: int
    pages_unchanged: int
    pages_gone: int
    errors: int
    bytes: int
    flag: str | None
    record: str | None


class CrawlErrorRecord(TypedDict):
    """An error of a crawl (`crawl_errors` without its crawl)."""

    url: str
    reason: str


class SameContentRecord(TypedDict):
    """A page holding a given content (`same_content`)."""

    url: str
    status: str
    text: str


class SourceRecord(TypedDict):
    """A row of `sources`."""

    id: str
    name: str
    organisation: str
    region: str
    updated: str
    actor: str


class FeedEntryRecord(TypedDict):
    """A row of `feed_entries`."""

    feed: str
    url: str
    source: str
    title: str
    summary: str
    published: str | None
    first_seen: str
    last_seen: str
    changed: str


class FeedItemRecord(FeedEntryRecord):
    """A feed entry with the live page its link leads to and that page's kind (`feed_items`)."""

    page: str | None
    kind: str | None
    relevant: int | None


# -- the indexer's ------------------------------------------------------------------------------


class EnrichmentRecord(TypedDict):
    """A row of `enrichment`."""

    url: str
    version: int
    step: str | None
    steps: str
    relevant: int
    kind: str
    countries: str
    regions: str
    sectors: str
    date: str | None
    extra: str


class NewsItemRecord(TypedDict):
    """A row of `news` without its signature and fingerprint (what the web reads)."""

    url: str
    story: str
    source: str
    provider: str
    title: str
    summary: str
    published: str | None
    dated_by: str
    from_feed: int
    step: str | None
    countries: str
    regions: str
    sectors: str
    updated: str


class SignedNewsItemRecord(NewsItemRecord):
    """A whole row of `news` (what the indexer compares)."""

    signature: str
    fingerprint: str


class NewsPageRecord(TypedDict):
    """A live news page with its enrichment (`news_pages`)."""

    url: str
    source: str
    title: str
    description: str
    published: str | None
    modified: str | None
    first_seen: str
    version: int
    step: str | None
    countries: str
    regions: str
    sectors: str


# -- the scheduler's ----------------------------------------------------------------------------


class RunRecord(TypedDict):
    """A row of `runs`."""

    id: int
    source: str
    started: str
    finished: str | None
    status: str
    detail: str


# -- the console's ------------------------------------------------------------------------------


class CorrectionRecord(TypedDict):
    """A row of `corrections`."""

    url: str
    step: str | None
    kind: str | None
    hidden: int
    by: str
    at: str
    note: str


class RecrawlRecord(TypedDict):
    """A row of `recrawl_queue`."""

    source: str
    at: str
    by: str


class PageCountRecord(TypedDict):
    """How many pages a source has in a status (`page_counts`)."""

    source: str
    status: str
    count: int


class FoundPageRecord(TypedDict):
    """A page the console's search found, with what the index says of it (`find_pages`)."""

    url: str
    title: str
    source: str
    status: str
    step: str | None
    kind: str | None
    relevant: int | None


class ReviewRecord(TypedDict):
    """A live page the index left « à vérifier », with its enrichment's extra (JSON)."""

    url: str
    title: str
    source: str
    extra: str


# -- the web nodes' and the self-assessment's ---------------------------------------------------


class SessionRecord(TypedDict):
    """A row of `sessions`."""

    id: str
    name: str
    created: float
    expires: float
    password_stamp: str


class SelfAssessmentRecord(TypedDict):
    """A row of `selfassessments`."""

    token: str
    created: str
    updated: str
    draft: str | None
    answers: str | None
    finished: str | None
    previous: str | None


# -- the export hotline's -----------------------------------------------------------------------


class HotlineRequestRecord(TypedDict):
    """A row of `hotline_requests`."""

    id: int
    reference: str
    token_hash: str
    created: str
    updated: str
    status: str
    desk: str
    owner: str
    rule: str
    because: str
    subject: str
    step: str
    country: str
    size: str
    sector: str
    region: str
    close_reason: str
    answered: str | None
    closed: str | None
    reminded: str | None
    escalated: str | None
    message: str
    siren: str
    postcode: str
    name: str
    email: str
    phone: str
    consent: str | None
    erased: str | None


class HotlineEventRecord(TypedDict):
    """A row of `hotline_events`."""

    id: int
    request_id: int
    at: str
    kind: str
    by: str
    detail: str


class HotlineReasonRecord(TypedDict):
    """How many closings or « pas pour moi » a reason and a routing rule had."""

    kind: str
    reason: str
    rule: str
    n: int


class HotlinePurgeRecord(TypedDict):
    """A request due for the purge (`hotline_to_purge`)."""

    id: int
    reference: str


class OutboxRecord(TypedDict):
    """A row of `hotline_outbox`: a mail."""

    id: int
    message_id: str
    request_id: int | None
    kind: str
    to_desk: str
    to_address: str
    subject: str
    body: str
    created: str
    status: str
    claimed: str | None
    attempts: int
    next_attempt: str
    last_error: str
    sent: str | None


# -- open data ----------------------------------------------------------------------------------


class ExportRecord(TypedDict):
    """A page as `portail export` writes it (built from `pages` and `enrichment`)."""

    url: str
    canonical_url: str
    source: str
    status: str
    title: str
    text: str
    step: str | None
    kind: str | None
    countries: list[str]
    regions: list[str]
    sectors: list[str]
    date: str | None
