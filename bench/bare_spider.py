"""A bare Scrapy spider (link following only: no extraction, no store), the baseline."""

from __future__ import annotations

import sys
import time

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start: str, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.start_urls = [start + "/p/0"]
        self.links = LinkExtractor(allow_domains=[start.split("//", 1)[1]])
        self.count = 0

    def parse(self, response):  # type: ignore[no-untyped-def]
        self.count += 1
        for link in self.links.extract_links(response):
            yield response.follow(link.url, callback=self.parse)


def main() -> None:
    start, pages = sys.argv[1], int(sys.argv[2])
    process = CrawlerProcess(
        settings={
            "LOG_LEVEL": "ERROR",
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            "ROBOTSTXT_OBEY": True,
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
            "CLOSESPIDER_PAGECOUNT": pages + 10,
            "DEPTH_LIMIT": 30,
        }
    )
    crawler = process.create_crawler(BareSpider)
    started = time.monotonic()
    process.crawl(crawler, start=start)
    process.start()
    elapsed = time.monotonic() - started
    print(f"{crawler.spider.count} {elapsed:.3f}")  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
