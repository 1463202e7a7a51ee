"""The PDF benchmark (a script, not a test): in a scratch database with the demo municipality,

1. one 10-page agreement through the whole pipeline ("Hent som PDF" as the leader: the request,
   the job, the message through Redis, a real worker rendering and storing it, the download),
   against WeasyPrint alone on the same HTML, and their ratio;
2. the agreement book of every agreement of the period with two worker processes (one Celery
   worker with concurrency 2): cold (no PDF stored) and warm (nothing changed since).

    python -m tests.benchmarks.pdf [--units 220] [--repeat 3]

It needs DATABASE_URL (the server; the database `bench_pdf` is made anew) and REDIS_URL; the
worker uses that Redis database. Figures go to stderr as text, to stdout as one line of JSON, and
to bench-results/ as a JSON file.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))

from tests.benchmarks.run import scratch_database_url  # noqa: E402

PARAGRAPH = (
    "Skolen arbejder målrettet med elevernes trivsel, læring og fællesskab. Vi samarbejder tæt "
    "med forældre, dagtilbud og ungdomsuddannelser, så overgangene bliver trygge, og vi følger "
    "op på fravær, faglige resultater og elevernes egne vurderinger hvert halve år. "
) * 3


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=220)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/aftalestyring")
    os.environ["DATABASE_URL"] = scratch_database_url(base_url, "bench_pdf")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-0123456789")
    os.environ.update({"ALLOWED_HOSTS": "testserver", "HTTPS": "false", "LOG_LEVEL": "WARNING"})
    os.environ["DJANGO_SETTINGS_MODULE"] = "randers.settings"

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from agreements import pdf, selectors, services
    from agreements.models import Agreement, AgreementBook, AgreementPdf, Period
    from randers.jobs.models import Job
    from tests.celery_worker import Worker, wait_until
    from units.models import User

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    call_command("seed_demo", units=args.units, stdout=open(os.devnull, "w"))  # noqa: SIM115
    say(f"seeded {args.units} units in {time.monotonic() - started:.1f} s")

    leader = User.objects.get(username="leader")
    admin = User.objects.get(username="admin")
    draft = Agreement.objects.for_page().filter(unit__leader=leader, state="draft").first()
    assert draft is not None

    # A 10-page agreement: the leader's draft, with long sections.
    def lengthen(paragraphs: int, mark: str = "") -> None:
        for section in draft.sections.all():
            body = "\n\n".join([PARAGRAPH] * paragraphs) + mark
            services.update_section(section, body=body, expected_revision=section.revision, by=None)

    paragraphs, pages = 1, 0
    while pages < 10:
        lengthen(paragraphs)
        html = pdf.agreement_html(selectors.pdf_source_for_reader(draft, leader))
        pages = pdf.write_pdf(html)[1]
        paragraphs += 1
    say(f"the agreement has {pages} pages")

    weasy = []
    for _ in range(args.repeat):
        t = time.monotonic()
        pdf.write_pdf(html)
        weasy.append(time.monotonic() - t)

    worker = Worker(concurrency=2, env={"DATABASE_CONN_MAX_AGE": "60"})
    worker.start()
    try:
        client = Client()
        client.force_login(leader)
        pipeline = []
        for number in range(args.repeat):
            lengthen(paragraphs - 1, mark=f" ({number})")  # new content: nothing stored yet
            t = time.monotonic()
            response = client.get(f"/aftaler/{draft.uuid}/pdf/")
            job = Job.objects.get(uuid=response["Location"].rstrip("/").split("/")[-1])
            wait_until(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=120)  # noqa: B023
            job.refresh_from_db()
            download = client.get(job.result["url"])
            assert download["Content-Type"] == "application/pdf"
            pipeline.append(time.monotonic() - t)

        period = max(Period.objects.all(), key=lambda p: p.agreements.count())
        AgreementPdf.objects.all().delete()
        book_times = []
        for label in ("cold", "warm"):
            t = time.monotonic()
            job = services.request_agreement_book(
                period, scope=AgreementBook.Scope.MUNICIPALITY, scope_id=None, by=admin
            )
            wait_until(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=1800)  # noqa: B023
            elapsed = time.monotonic() - t
            job.refresh_from_db()
            assert job.status == Job.Status.DONE, job.error
            book = AgreementBook.objects.get(job=job)
            book_times.append(
                {
                    "run": label,
                    "seconds": round(elapsed, 1),
                    "agreements": book.agreement_count,
                    "pages": book.pages,
                    "megabytes": round(book.size / 1e6, 1),
                }
            )
            say(f"book {label}: {book_times[-1]}")
        rendered = len(worker.rendered())
    finally:
        worker.stop()

    result = {
        "units": args.units,
        "agreement_pages": pages,
        "weasyprint_seconds": round(statistics.median(weasy), 3),
        "pipeline_seconds": round(statistics.median(pipeline), 3),
        "ratio": round(statistics.median(pipeline) / statistics.median(weasy), 2),
        "book": book_times,
        "pdfs_rendered_by_the_worker": rendered,
    }
    say(
        f"one {pages}-page agreement: WeasyPrint alone {result['weasyprint_seconds']} s, "
        f"whole pipeline {result['pipeline_seconds']} s, ratio {result['ratio']}"
    )
    for run in book_times:
        say(
            f"book of {run['agreements']} agreements ({run['pages']} pages, "
            f"{run['megabytes']} MB), two worker processes, {run['run']}: {run['seconds']} s"
        )
    out_dir = BASE_DIR / "bench-results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"pdf-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2))
    say(f"written to {out.relative_to(BASE_DIR)}")
    print(json.dumps(result))  # the last line, for tests.benchmarks.run


if __name__ == "__main__":
    main()
