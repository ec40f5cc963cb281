"""Every table of the portal, declared once (SQLAlchemy Core). The data layer owns them: no
other module writes SQL. Their schema changes only through the migrations of
`portail/db/migrations` (`portail db upgrade`).

Dates are ISO 8601 text (UTC), as the first release stored them; JSON values are text.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
)

metadata = MetaData()

# -- the crawler's ------------------------------------------------------------------------------

pages = Table(
    "pages",
    metadata,
    Column("url", Text, primary_key=True),  # the canonical URL
    Column("source", Text, nullable=False),
    Column("status", Text, nullable=False),  # ok | gone | error | twin (folded into another)
    Column("fetched_url", Text),
    Column("http_status", Integer),
    Column("content_type", Text),
    Column("title", Text, nullable=False, server_default=""),
    Column("text", Text, nullable=False, server_default=""),
    Column("description", Text, nullable=False, server_default=""),
    Column("language", Text, nullable=False, server_default=""),
    Column("published", Text),
    Column("modified", Text),
    Column("structured", Text, nullable=False, server_default="{}"),
    Column("links", Text, nullable=False, server_default="[]"),
    Column("content_hash", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("first_seen", Text, nullable=False),
    Column("last_fetched", Text),
    Column("last_changed", Text),
    Column("last_seen", Text),
    Column("gone_since", Text),
    Column("missed", Integer, nullable=False, server_default="0"),
    Column("version", Integer, nullable=False, server_default="1"),
    Index("pages_source", "source", "status"),
    Index("pages_hash", "source", "content_hash", "status"),
)

# The content a page had before each of its last changes (HISTORY_KEPT per page).
page_versions = Table(
    "page_versions",
    metadata,
    Column("url", Text, nullable=False),
    Column("version", Integer, nullable=False),  # the page's version that held this content
    Column("crawl_id", Integer),  # the crawl that replaced it
    Column("replaced", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("title", Text, nullable=False, server_default=""),
    Column("text", Text, nullable=False, server_default=""),
    Column("description", Text, nullable=False, server_default=""),
    Column("language", Text, nullable=False, server_default=""),
    Column("published", Text),
    Column("modified", Text),
    Column("structured", Text, nullable=False, server_default="{}"),
    Column("links", Text, nullable=False, server_default="[]"),
    Column("content_hash", Text),
    Column("content_type", Text),
    PrimaryKeyConstraint("url", "version"),
)

fetches = Table(
    "fetches",
    metadata,
    Column("url", Text, primary_key=True),  # the URL as requested
    Column("page_url", Text, nullable=False),  # the page it led to
    Column("etag", Text),
    Column("last_modified", Text),
)

crawls = Table(
    "crawls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("started", Text, nullable=False),
    Column("finished", Text),
    Column("status", Text, nullable=False),  # running | finished | incomplete | interrupted
    Column("reason", Text),
    Column("pages_new", Integer, nullable=False, server_default="0"),
    Column("pages_changed", Integer, nullable=False, server_default="0"),
    Column("pages_unchanged", Integer, nullable=False, server_default="0"),
    Column("pages_gone", Integer, nullable=False, server_default="0"),
    Column("errors", Integer, nullable=False, server_default="0"),
    Column("bytes", Integer, nullable=False, server_default="0"),
    Column("flag", Text),  # why this crawl's result needs a maintainer
    Column("record", Text),  # this source's part of the run's JSON record (the console shows it)
    Index("crawls_source", "source", "id"),
)

crawl_pages = Table(
    "crawl_pages",
    metadata,
    Column("crawl_id", Integer, nullable=False),
    Column("page_url", Text, nullable=False),
    Column("outcome", Text, nullable=False),  # new | changed | unchanged | missing
    PrimaryKeyConstraint("crawl_id", "page_url"),
)

crawl_errors = Table(
    "crawl_errors",
    metadata,
    Column("crawl_id", Integer, nullable=False),
    Column("url", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Index("crawl_errors_crawl", "crawl_id"),
)

sources = Table(
    "sources",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("organisation", Text, nullable=False),
    Column("region", Text, nullable=False, server_default=""),
    Column("updated", Text, nullable=False),
    Column("actor", Text, nullable=False, server_default="public"),  # public | consulaire | …
)

feed_entries = Table(
    "feed_entries",
    metadata,
    Column("feed", Text, nullable=False),  # the RSS or Atom feed's URL
    Column("url", Text, nullable=False),  # the entry's link (cleaned like a page's URL)
    Column("source", Text, nullable=False),
    Column("title", Text, nullable=False, server_default=""),
    Column("summary", Text, nullable=False, server_default=""),  # plain text
    Column("published", Text),  # the date the feed gives (ISO 8601, UTC), if any
    Column("first_seen", Text, nullable=False),
    Column("last_seen", Text, nullable=False),
    Column("changed", Text, nullable=False),  # when its title, summary or date last changed
    PrimaryKeyConstraint("feed", "url"),
    Index("feed_entries_url", "url"),
)

# -- the indexer's ------------------------------------------------------------------------------

enrichment = Table(
    "enrichment",
    metadata,
    Column("url", Text, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("step", Text),
    Column("steps", Text, nullable=False, server_default="{}"),
    Column("relevant", Integer, nullable=False, server_default="1"),
    Column("kind", Text, nullable=False, server_default="other"),
    Column("countries", Text, nullable=False, server_default="[]"),
    Column("regions", Text, nullable=False, server_default="[]"),
    Column("sectors", Text, nullable=False, server_default="[]"),
    Column("date", Text),
    Column("extra", Text, nullable=False, server_default="{}"),
)

news = Table(
    "news",
    metadata,
    Column("url", Text, primary_key=True),  # a news page's canonical URL, or a feed entry's link
    Column("story", Text, nullable=False),  # the story it tells: near-duplicates share one
    Column("source", Text, nullable=False),
    Column("provider", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False, server_default=""),
    Column("published", Text),  # ISO date of publication (see `dated_by`)
    Column("dated_by", Text, nullable=False),  # page | feed | modified | seen
    Column("from_feed", Integer, nullable=False, server_default="0"),  # 1: known by its feed only
    Column("step", Text),
    Column("countries", Text, nullable=False, server_default="[]"),
    Column("regions", Text, nullable=False, server_default="[]"),
    Column("sectors", Text, nullable=False, server_default="[]"),
    Column("signature", Text, nullable=False),  # MinHash of its words (hex), for near-duplicates
    Column("fingerprint", Text, nullable=False),  # what it was computed from: unchanged, kept
    Column("updated", Text, nullable=False),
    Index("news_story", "story"),
    Index("news_published", "published"),
)

# -- the scheduler's ----------------------------------------------------------------------------

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("started", Text, nullable=False),
    Column("finished", Text),
    Column("status", Text, nullable=False),  # running | ok | failed | timeout | busy
    Column("detail", Text, nullable=False, server_default=""),
    Index("runs_source", "source", "id"),
)

# -- the console's (maintainers) ----------------------------------------------------------------

corrections = Table(
    "corrections",
    metadata,
    Column("url", Text, primary_key=True),  # the page's canonical URL
    Column("step", Text),  # the step pinned, or none
    Column("kind", Text),  # the kind pinned, or none
    Column("hidden", Integer, nullable=False, server_default="0"),
    Column("by", Text, nullable=False, server_default=""),
    Column("at", Text, nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
)

recrawl_queue = Table(
    "recrawl_queue",
    metadata,
    Column("source", Text, primary_key=True),  # at most one request per source
    Column("at", Text, nullable=False),
    Column("by", Text, nullable=False, server_default=""),
)

reindex_queue = Table(
    "reindex_queue",
    metadata,
    Column("url", Text, primary_key=True),  # a page whose index entry must be rebuilt
    Column("at", Text, nullable=False),
)

# -- the web nodes' shared state ----------------------------------------------------------------

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client", Text, nullable=False),
    Column("at", Float, nullable=False),  # seconds since the epoch
    Index("login_attempts_client", "client", "at"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Text, primary_key=True),  # a random token, also in the signed cookie
    Column("name", Text, nullable=False, server_default=""),  # who logged in
    Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False),
    Column(
        "password_stamp", Text, nullable=False, server_default=""
    ),  # the hash it was opened with
)

# -- the web's self-assessment (anonymous) ------------------------------------------------------

selfassessments = Table(
    "selfassessments",
    metadata,
    Column("token", Text, primary_key=True),  # random, unguessable: the only key to the answers
    Column("created", Text, nullable=False),
    Column("updated", Text, nullable=False),  # last answer saved (abandoned drafts expire)
    Column("draft", Text),  # JSON answers of the take in progress, if any
    Column("answers", Text),  # JSON answers of the last finished take, if any
    Column("finished", Text),  # when that take was finished
    Column("previous", Text),  # JSON {"finished", "scores"} of the take before it
    Index("selfassessments_updated", "updated"),
)

# -- the export hotline (people's requests, their history, the mail outbox) -------------------

hotline_requests = Table(
    "hotline_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", Text, nullable=False, unique=True),  # « HL-2026-7K3QM », said to people
    Column("token_hash", Text, nullable=False, unique=True),  # sha256 of the private link's token
    Column("created", Text, nullable=False),
    Column("updated", Text, nullable=False),  # the last event: the retention counts from it
    Column("status", Text, nullable=False),  # nouvelle | prise_en_charge | repondue | …
    Column("desk", Text, nullable=False),  # the desk in charge (« tfe-53 », « national »)
    Column("owner", Text, nullable=False, server_default=""),  # the adviser who took it
    Column("rule", Text, nullable=False, server_default=""),  # the routing rule that chose it
    Column("because", Text, nullable=False, server_default=""),  # why, as said to the requester
    Column("subject", Text, nullable=False),
    Column("step", Text, nullable=False, server_default=""),
    Column("country", Text, nullable=False, server_default=""),
    Column("size", Text, nullable=False, server_default=""),
    Column("sector", Text, nullable=False, server_default=""),
    Column("region", Text, nullable=False),
    Column("close_reason", Text, nullable=False, server_default=""),
    Column("answered", Text),  # when the first answer was sent
    Column("closed", Text),
    Column("reminded", Text),  # the desk was reminded (3 working days without an answer)
    Column("escalated", Text),  # the national desk was told (7 working days)
    # Personal data, erased by the purge or on request (`erased` then says when):
    Column("message", Text, nullable=False, server_default=""),
    Column("siren", Text, nullable=False, server_default=""),
    Column("postcode", Text, nullable=False, server_default=""),
    Column("name", Text, nullable=False, server_default=""),
    Column("email", Text, nullable=False, server_default=""),
    Column("phone", Text, nullable=False, server_default=""),
    Column("consent", Text),  # when the requester agreed to the processing of the request
    Column("erased", Text),
    Index("hotline_requests_status", "status", "desk"),
)

hotline_events = Table(
    "hotline_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", Integer, nullable=False),
    Column("at", Text, nullable=False),
    Column("kind", Text, nullable=False),  # created | assigned | answered | closed | reminded | …
    Column("by", Text, nullable=False, server_default=""),
    Column("detail", Text, nullable=False, server_default=""),  # erased with personal data
    Index("hotline_events_request", "request_id", "id"),
)

hotline_outbox = Table(
    "hotline_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", Text, nullable=False, unique=True),  # the Message-ID of every attempt
    Column("request_id", Integer),
    Column("kind", Text, nullable=False),  # receipt | desk | reminder | escalation | answer
    Column("to_desk", Text, nullable=False, server_default=""),  # address read from settings
    Column("to_address", Text, nullable=False, server_default=""),  # the requester's
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created", Text, nullable=False),
    # pending | sending (claimed) | transmitting (DATA under way) | sent | uncertain | failed
    # | cancelled
    Column("status", Text, nullable=False, server_default="pending"),
    Column("claimed", Text),  # when a sender claimed it (a lease: a dead sender's claim expires)
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt", Text, nullable=False),
    Column("last_error", Text, nullable=False, server_default=""),
    Column("sent", Text),
    Index("hotline_outbox_status", "status", "next_attempt"),
)

hotline_submissions = Table(
    "hotline_submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client", Text, nullable=False),  # a keyed hash of the client's address
    Column("at", Float, nullable=False),  # seconds since the epoch
    Index("hotline_submissions_client", "client", "at"),
)
