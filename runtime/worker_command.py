"""``hulian worker``: run the webhook deliveries and periodic jobs; and the webhook URL
options ``serve`` shares (``--development``, ``--webhook-hosts``).

    hulian worker --db postgresql://hulian@db/hulian
    hulian worker --db sqlite:///hulian.db --once        # deliver what is due, then exit

It stops on SIGTERM or Ctrl-C after the pass it is in (deliveries in flight are recorded).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from hulian.engine import Engine
from hulian.engine.changes.retention import DEFAULT_FEED_RETENTION_DAYS
from hulian.engine.recycle import DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS
from hulian.engine.webhooks import DeliverySettings, UrlPolicy, parse_hosts

__all__ = ["add_webhook_url_options", "add_worker_command", "webhook_policy"]

TRUE = ("1", "true", "yes", "on")


def add_webhook_url_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--development", action="store_true",
                   default=os.environ.get("HULIAN_DEVELOPMENT", "").lower() in TRUE,
                   help="development mode: webhooks may reach loopback and private "
                        "addresses (env HULIAN_DEVELOPMENT=1)")
    p.add_argument("--webhook-hosts", metavar="HOSTS",
                   default=os.environ.get("HULIAN_WEBHOOK_HOSTS"),
                   help="the hosts webhooks may reach, comma-separated (erp.example.com, "
                        "*.example.com); default: any public host (env HULIAN_WEBHOOK_HOSTS)")


def webhook_policy(args: argparse.Namespace) -> UrlPolicy:
    return UrlPolicy(parse_hosts(args.webhook_hosts), development=args.development)


def cmd_worker(args: argparse.Namespace) -> int:
    from hulian.runtime.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = DeliverySettings(timeout=args.timeout, max_attempts=args.max_attempts,
                                backoff=args.backoff, backoff_cap=args.backoff_cap,
                                concurrency=args.concurrency)
    engine = Engine(args.db, webhook_urls=webhook_policy(args),
                    feed_retention_days=args.feed_retention_days,
                    recycle_bin_days=args.recycle_bin_days)
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with Worker(engine, settings=settings, tenants=args.tenant, poll=args.poll) as worker:
            print(f"hulian worker on {args.db}" + (" (once)" if args.once else ""),
                  file=sys.stderr, flush=True)
            try:
                report = worker.run(stop, once=args.once)
            except KeyboardInterrupt:
                stop.set()
                return 130
    finally:
        engine.close()
    print(f"delivered {report.delivered}, failed {report.failed}, dead-lettered "
          f"{report.dead} (enqueued {report.enqueued})", file=sys.stderr)
    return 0


def _positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
        return value
    return parse


def _days(lowest: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not lowest <= value <= MAX_RETENTION_DAYS:
            raise argparse.ArgumentTypeError(f"must be {lowest} to {MAX_RETENTION_DAYS} "
                                             f"days, not {text}")
        return value
    return parse


def _env_int(name: str, default: int) -> int | str:
    return os.environ.get(name) or default  # argparse runs a text default through type


def add_worker_command(commands: Any, db_option: Callable[[argparse.ArgumentParser], None]
                       ) -> None:
    defaults = DeliverySettings()
    p = commands.add_parser("worker", help="deliver webhooks and run the periodic jobs")
    db_option(p)
    p.add_argument("--once", action="store_true",
                   help="deliver what is due and run the jobs, then exit")
    p.add_argument("--tenant", action="append", default=[], metavar="TENANT",
                   help="only this tenant (repeatable; default: every tenant)")
    p.add_argument("--poll", type=_positive(float), default=0.2, metavar="SECONDS",
                   help="wait between passes that find nothing to do (default 0.2)")
    p.add_argument("--timeout", type=_positive(float), default=defaults.timeout,
                   metavar="SECONDS", help="wait this long for a receiver's answer "
                                           f"(default {defaults.timeout:g})")
    p.add_argument("--max-attempts", type=_positive(int), default=defaults.max_attempts,
                   metavar="N", help="dead-letter a delivery after N failed attempts "
                                     f"(default {defaults.max_attempts})")
    p.add_argument("--backoff", type=_positive(float), default=defaults.backoff,
                   metavar="SECONDS", help="wait before the 2nd attempt, doubling after "
                                           f"each (default {defaults.backoff:g})")
    p.add_argument("--backoff-cap", type=_positive(float), default=defaults.backoff_cap,
                   metavar="SECONDS", help="the longest wait between attempts "
                                           f"(default {defaults.backoff_cap:g})")
    p.add_argument("--concurrency", type=_positive(int), default=defaults.concurrency,
                   metavar="N", help="records delivered to at once (default "
                                     f"{defaults.concurrency})")
    p.add_argument("--feed-retention-days", type=_days(1), metavar="DAYS",
                   default=_env_int("HULIAN_FEED_RETENTION_DAYS",
                                    DEFAULT_FEED_RETENTION_DAYS),
                   help="keep the record changes of objects without history this long for "
                        f"the change feed (default {DEFAULT_FEED_RETENTION_DAYS}; env "
                        "HULIAN_FEED_RETENTION_DAYS)")
    p.add_argument("--recycle-bin-days", type=_days(0), metavar="DAYS",
                   default=_env_int("HULIAN_RECYCLE_BIN_DAYS", DEFAULT_RETENTION_DAYS),
                   help="purge records deleted longer ago than this (default "
                        f"{DEFAULT_RETENTION_DAYS}; env HULIAN_RECYCLE_BIN_DAYS)")
    add_webhook_url_options(p)
    p.set_defaults(handler=cmd_worker)
