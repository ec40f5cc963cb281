"""Every Scrapy setting the crawler uses, derived from one source's configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawlers.render import RENDER_TIMEOUT_MS
from portail.sources import Source

CHROMIUM = "/usr/bin/chromium"
# Chromium flags that keep it quiet on a machine without internet (see FIELD-NOTES.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
MAX_PAGE_BYTES = 10 * 1024 * 1024
BINARY_EXTENSIONS = [
    "7z",
    "apk",
    "avi",
    "bmp",
    "bz2",
    "csv",
    "dmg",
    "doc",
    "docx",
    "exe",
    "gif",
    "gz",
    "ico",
    "iso",
    "jpeg",
    "jpg",
    "m4a",
    "mov",
    "mp3",
    "mp4",
    "mpeg",
    "odp",
    "ods",
    "odt",
    "ogg",
    "png",
    "ppt",
    "pptx",
    "rar",
    "svg",
    "tar",
    "tif",
    "tiff",
    "wav",
    "webm",
    "webp",
    "wmv",
    "xls",
    "xlsx",
    "xml",
    "zip",
    "css",
    "js",
    "woff",
    "woff2",
    "ttf",
    "eot",
    "json",
    "rss",
    "atom",
]


def crawl_settings(source: Source, data_dir: Path) -> dict[str, Any]:
    """Polite defaults: robots.txt obeyed, one identifying user agent, a per-host delay; the
    store pipeline writes into the data directory's store."""
    polite = source.delay > 0
    settings: dict[str, Any] = {
        "BOT_NAME": "franceinternational",
        "ITEM_PIPELINES": {"crawlers.pipelines.StorePipeline": 300},
        "PORTAIL_DATA_DIR": str(data_dir),
        "USER_AGENT": source.user_agent,
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": source.delay,
        "RANDOMIZE_DOWNLOAD_DELAY": polite,
        "AUTOTHROTTLE_ENABLED": polite,
        "AUTOTHROTTLE_START_DELAY": max(source.delay, 1.0),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2 if polite else 8,
        "DEPTH_LIMIT": source.depth,
        # Breadth-first, so that a page gets its shortest depth and traps stop early.
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "DOWNLOAD_TIMEOUT": source.timeout,
        "DOWNLOAD_MAXSIZE": MAX_PAGE_BYTES,
        "DOWNLOAD_WARNSIZE": 0,
        "REDIRECT_MAX_TIMES": 5,
        "RETRY_TIMES": 2,
        "RETRY_GIVE_UP_LOG_LEVEL": "INFO",  # the report lists every failure, in French
        "RETRY_BACKOFF_BASE": 0.5,
        "RETRY_BACKOFF_MAX": 30.0,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawlers.retry.BackoffRetryMiddleware": 550,
            # Sees redirects before RedirectMiddleware (600) follows them.
            "crawlers.middlewares.RedirectLoopMiddleware": 650,
            "crawlers.middlewares.ValidatorsMiddleware": 700,
        },
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": "ERROR",
        "LOG_ENABLED": True,
        "STATS_DUMP": False,
        # A development aid that re-reads and parses a callback's source for every response
        # (Scrapy's cache of the answer is keyed on bound methods, new for each request).
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "LOGSTATS_INTERVAL": 0,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }
    if source.javascript:
        handler = "crawlers.render.PageReusingHandler"
        settings |= {
            "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
            "PLAYWRIGHT_BROWSER_TYPE": "chromium",
            "PLAYWRIGHT_LAUNCH_OPTIONS": {
                "executable_path": CHROMIUM,
                "headless": True,
                "args": CHROMIUM_ARGS,
            },
            "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": RENDER_TIMEOUT_MS,
            "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 4,
            # Playwright on its own event loop, in a thread: the browser is launched and
            # driven at once, even while the other sources' callbacks keep Scrapy's loop busy
            # (there, a whole-demo crawl launched it 8 s late). Always so on Windows.
            "_PLAYWRIGHT_THREADED_LOOP": True,
            "CONCURRENT_REQUESTS": 4,  # no more than the pages a context holds (see render.py)
            # A browser page costs far more than a download: a polite source renders two
            # at once; one without delay (the demo web on loopback) as many as a context holds.
            "CONCURRENT_REQUESTS_PER_DOMAIN": 2 if polite else 4,
        }
    return settings
