"""The production settings as the benchmarks run them: plain HTTP on loopback, no DEBUG, and the
floor view of tests/benchmarks/floor.py beside the app's own URLs."""

import os

os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from randers.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.urls"
