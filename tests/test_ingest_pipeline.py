"""The ingest pipeline: one outcome per file, idempotent re-runs, manifest updates, atomic documents."""
from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from policyscope.errors import ManifestError
from policyscope.ingest import IngestOptions, ingest_paths
from policyscope.ingest.discover import discover
from policyscope.ingest.dates import date_from_filename, normalise_date
from policyscope.ingest.metadata import merge_metadata, read_manifest
from policyscope.store import Store
from tests.conftest import CORPUS, REPO

SEED_TXT = sorted(CORPUS.glob("*.txt"))


def test_discover_expands_folders_and_globs_and_skips_manifests(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("One.")
    (tmp_path / "a" / "manifest.csv").write_text("file\n")
    (tmp_path / "a" / ".hidden.txt").write_text("x")
    (tmp_path / "two.md").write_text("Two.")
    found = discover([str(tmp_path / "a"), str(tmp_path / "*.md"), str(tmp_path / "missing.pdf")])
    assert [p.name for p in found] == ["one.txt", "two.md", "missing.pdf"]


@pytest.mark.parametrize("raw, expected", [
    ("2014", "2014"), ("2014-1", "2014-01"), ("2014/01/31", "2014-01-31"), ("2014-01-31T10:00:00", "2014-01-31"),
    ("2014-13", None), ("2014-02-30", None), ("0999", None), ("Jan 2014", None), ("", None),
])
def test_normalise_date(raw, expected):
    assert normalise_date(raw, strict=True) == expected


def test_date_from_filename_prefers_the_most_precise_date():
    assert date_from_filename("2014-01-31-routledge.txt") == "2014-01-31"
    assert date_from_filename("manifesto_2017_libdem.pdf") == "2017"
    assert date_from_filename("report-v3.pdf") is None


def test_metadata_priority_manifest_then_file_then_file_name():
    fields, source = merge_metadata("report_2019.pdf", {"title": "From manifest"}, {"title": "From PDF", "date": "2018-05"})
    assert fields["title"] == "From manifest" and fields["date"] == "2018-05" and source == "file_metadata"
    fields, source = merge_metadata("report_2019.pdf", {"date": "2020"}, {"date": "2018-05"})
    assert fields["date"] == "2020" and source == "manifest"
    fields, source = merge_metadata("report_2019.pdf", {}, {})
    assert fields["date"] == "2019" and source == "file_name"


def test_manifest_errors_name_the_file_and_row(tmp_path):
    bad = tmp_path / "manifest.csv"
    bad.write_text("file,date\na.txt,2014\nb.txt,31 January 2014\n")
    with pytest.raises(ManifestError) as err:
        read_manifest(bad)
    assert "manifest.csv" in str(err.value) and "row 3" in str(err.value) and "E110" in str(err.value)
    nofile = tmp_path / "m2.csv"
    nofile.write_text("title,date\nx,2014\n")
    with pytest.raises(ManifestError, match="no 'file' column"):
        read_manifest(nofile)


def test_demo_corpus_ingests_with_manifest_metadata(demo_db):
    with Store(demo_db) as store:
        docs = {d["title"]: d for d in store.documents()}
        outcomes = store.ingest_log()
    assert len(docs) == 5
    assert {o["outcome"] for o in outcomes} == {"ok"}
    allen = docs["Personalisation and Integration in Adult Social Care (policy conflict)"]
    assert allen["date"] == "2022" and allen["doc_type"] == "article" and allen["licence"] == "CC BY 4.0"
    assert allen["file_type"] == "pdf" and allen["n_pages"] == 8
    blog = docs["Personalisation - give up or move on?"]
    assert blog["date"] == "2014-01-31" and blog["date_source"] == "manifest"


def test_counts_and_ids_are_consistent(demo_db):
    con = sqlite3.connect(demo_db)
    for doc_id, n_sent, n_tok in con.execute("SELECT doc_id, n_sentences, n_tokens FROM documents"):
        got = con.execute("SELECT COUNT(*), SUM(n_tokens) FROM sentences WHERE doc_id=?", (doc_id,)).fetchone()
        assert got == (n_sent, n_tok)
    # Every sentence's span points at its text in the cleaned page.
    rows = con.execute("""SELECT s.sentence_id, s.char_start, s.char_end, s.text, p.text FROM sentences s
                          JOIN pages p ON p.doc_id = s.doc_id AND p.page_no = s.page_no""").fetchall()
    assert rows
    for sid, a, b, text, page_text in rows:
        assert page_text[a:b] == text, sid
        doc_id, page, _ = sid.split(":")
        assert sid.startswith(doc_id) and page.startswith("p")
    # The FTS index finds sentences.
    assert con.execute("SELECT COUNT(*) FROM sentences_fts WHERE sentences_fts MATCH 'personalisation'").fetchone()[0] > 20


def test_reingest_is_a_no_op_and_manifest_changes_update_metadata(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in SEED_TXT[:2]:
        shutil.copy(f, corpus / f.name)
    manifest = corpus / "manifest.csv"
    rows = [r for r in csv.DictReader(open(CORPUS / "manifest.csv")) if (corpus / r["file"]).exists()]
    _write_manifest(manifest, rows)
    db = tmp_path / "s.db"
    first = ingest_paths([str(corpus)], db, options=IngestOptions(jobs=1), progress=False)
    assert [o.outcome for o in first.outcomes] == ["ok", "ok"]
    con = sqlite3.connect(db)
    before = con.execute("SELECT doc_id, ingested_at FROM documents ORDER BY doc_id").fetchall()
    n_sent = con.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]

    again = ingest_paths([str(corpus)], db, options=IngestOptions(jobs=1), progress=False)
    assert [o.outcome for o in again.outcomes] == ["skipped", "skipped"]
    assert all("unchanged" in o.reason for o in again.outcomes)

    rows[0]["title"] = "A corrected title"
    rows[0]["date"] = "2009-11"
    _write_manifest(manifest, rows)
    third = ingest_paths([str(corpus)], db, options=IngestOptions(jobs=1), progress=False)
    assert "metadata updated (date, title)" in third.outcomes[0].reason
    con = sqlite3.connect(db)
    assert con.execute("SELECT doc_id, ingested_at FROM documents ORDER BY doc_id").fetchall() == before
    assert con.execute("SELECT COUNT(*) FROM sentences").fetchone()[0] == n_sent
    title, date, year = con.execute("SELECT title, date, year FROM documents WHERE title LIKE 'A corrected%'").fetchone()
    assert (date, year) == ("2009-11", 2009)


def _write_manifest(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_bad_files_get_one_outcome_each_and_the_batch_goes_on(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "slides.pptx").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage garbage")
    shutil.copy(SEED_TXT[0], tmp_path / SEED_TXT[0].name)
    db = tmp_path / "s.db"
    report = ingest_paths([str(tmp_path), str(tmp_path / "nope.docx")], db, options=IngestOptions(jobs=1),
                          progress=False)
    by_name = {Path(o.path).name: o for o in report.outcomes}
    assert set(by_name) == {"empty.txt", "slides.pptx", "broken.pdf", SEED_TXT[0].name, "nope.docx"}
    assert by_name["empty.txt"].outcome == "skipped" and "empty" in by_name["empty.txt"].reason
    assert by_name["slides.pptx"].outcome == "skipped" and "unsupported" in by_name["slides.pptx"].reason
    assert by_name["broken.pdf"].outcome == "failed" and by_name["broken.pdf"].code
    assert by_name["nope.docx"].outcome == "failed" and "no such file" in by_name["nope.docx"].reason
    assert by_name[SEED_TXT[0].name].outcome == "ok"
    logged = sqlite3.connect(db).execute("SELECT path, outcome FROM ingest_log").fetchall()
    assert len(logged) == 5


def test_worker_pool_ingest_matches_in_process_ingest(tmp_path, demo_db):
    db = tmp_path / "pool.db"
    report = ingest_paths([str(CORPUS)], db, options=IngestOptions(jobs=2, chunk_pages=3), progress=False)
    assert report.count("ok") == 5
    q = "SELECT sentence_id, char_start, char_end, text, n_tokens, lemmas, section FROM sentences ORDER BY sentence_id"
    assert sqlite3.connect(db).execute(q).fetchall() == sqlite3.connect(demo_db).execute(q).fetchall()


def test_a_fresh_two_worker_ingest_matches_in_process_ingest(tmp_path, demo_db):
    """As a user runs it: a new process, no spaCy loaded yet, so the first worker is forked without
    it and extracts PDFs whose pages the other worker (forked once spaCy is loaded) stores."""
    db = tmp_path / "fresh.db"
    subprocess.run([sys.executable, "-m", "policyscope", "ingest", str(CORPUS), "--db", str(db), "--jobs", "2",
                    "--no-progress"], check=True, capture_output=True, cwd=tmp_path, timeout=300)
    q = "SELECT sentence_id, char_start, char_end, text, n_tokens, lemmas, section FROM sentences ORDER BY sentence_id"
    assert sqlite3.connect(db).execute(q).fetchall() == sqlite3.connect(demo_db).execute(q).fetchall()
    q = "SELECT doc_id, page_no, text, cleanup FROM pages ORDER BY doc_id, page_no"
    assert sqlite3.connect(db).execute(q).fetchall() == sqlite3.connect(demo_db).execute(q).fetchall()


def test_the_worker_forked_before_spacy_extracts_and_one_forked_after_stores(tmp_path, monkeypatch, demo_db):
    from policyscope.ingest import pipeline, workers
    loaded = {"now": False}  # this test process has spaCy already: pretend it has not, until the pipeline loads it
    monkeypatch.setattr(workers, "segmenter_loaded", lambda: loaded["now"])
    real_load = pipeline._load_segmenter

    def load():
        loaded["now"] = True
        real_load()

    monkeypatch.setattr(pipeline, "_load_segmenter", load)
    ran: list[tuple[str, str, bool]] = []  # (stage, task function, the worker has the segmenter)
    next_for = workers.TimedPool._next_for

    def recording(self, w):
        item = next_for(self, w)
        if item is not None:
            ran.append((item[0][1], item[1].__name__, w.nlp))
        return item

    monkeypatch.setattr(workers.TimedPool, "_next_for", recording)
    db = tmp_path / "early.db"
    report = ingest_paths([str(CORPUS)], db, options=IngestOptions(jobs=2), progress=False)
    assert report.count("ok") == 5
    assert ("pages", "extract_whole_pdf", False) in ran  # the early worker extracted a PDF...
    assert ("whole", "store_pages", True) in ran  # ...and the later one stored its pages
    assert all(not nlp for stage, _, nlp in ran if stage == "pages")
    assert all(nlp for _, fn, nlp in ran if fn in ("store_pages", "ingest_other", "ingest_whole_pdf"))
    q = "SELECT sentence_id, char_start, char_end, text, n_tokens, lemmas, section FROM sentences ORDER BY sentence_id"
    assert sqlite3.connect(db).execute(q).fetchall() == sqlite3.connect(demo_db).execute(q).fetchall()


def _submitted(monkeypatch) -> list[tuple[str, str]]:
    """Record (stage, file name) of every task handed to the worker pool."""
    from policyscope.ingest import workers
    seen: list[tuple[str, str]] = []
    submit = workers.TimedPool.submit

    def recording(self, key, fn, *args, **kw):
        first = args[0]
        seen.append((key[1], Path(getattr(first, "path", first if isinstance(first, str) else "")).name))
        return submit(self, key, fn, *args, **kw)

    monkeypatch.setattr(workers.TimedPool, "submit", recording)
    return seen


def _copies(src: Path, folder: Path, n: int) -> list[Path]:
    """Distinct files (distinct hashes) with the same pages: a comment appended after %%EOF."""
    folder.mkdir(exist_ok=True)
    out = []
    for i in range(n):
        out.append(folder / f"copy{i}_{src.name}")
        out[-1].write_bytes(src.read_bytes() + f"\n%copy {i}\n".encode())
    return out


def test_longest_document_goes_first_and_workers_store_whole_documents(tmp_path, monkeypatch, demo_db):
    short, long_ = sorted(CORPUS.glob("*.pdf"), key=lambda p: p.stat().st_size)  # 6 and 8 pages
    short_a, short_b = _copies(short, tmp_path / "copies", 2)
    seen = _submitted(monkeypatch)
    db = tmp_path / "order.db"
    # Input order: a text file, two 6-page PDFs, then the 8-page PDF. Each of the two workers starts
    # on one of the first files at once; of the files read ahead meanwhile, the longest goes next.
    report = ingest_paths([str(SEED_TXT[0]), str(short_a), str(short_b), str(long_)], db,
                          options=IngestOptions(jobs=2), progress=False)
    assert report.count("ok") == 4 and [Path(o.path).name for o in report.outcomes][0] == SEED_TXT[0].name
    pages = {row[0]: row[1] for row in sqlite3.connect(db).execute("SELECT path, n_pages FROM documents")}
    assert pages[str(long_)] > pages[str(short_b)]
    assert [name for _, name in seen] == [short_a.name, SEED_TXT[0].name, long_.name, short_b.name]
    assert {stage for stage, _ in seen} == {"whole", "read"}  # stored by the workers, in one task each
    q = "SELECT sentence_id, text, n_tokens, lemmas FROM sentences ORDER BY sentence_id"
    mine = sqlite3.connect(db).execute(q).fetchall()
    ids = {row[0] for row in sqlite3.connect(db).execute("SELECT doc_id FROM documents WHERE path NOT LIKE '%copy%'")}
    assert mine and {r for r in mine if r[0][:12] in ids} <= set(sqlite3.connect(demo_db).execute(q).fetchall())


def test_a_long_pdf_is_split_only_when_the_rest_cannot_keep_the_workers_busy(tmp_path, monkeypatch):
    short, long_ = sorted(CORPUS.glob("*.pdf"), key=lambda p: p.stat().st_size)  # 6 and 8 pages
    seen = _submitted(monkeypatch)
    # Alone, the 8-page PDF is split into ranges of 3 pages, extracted and segmented on both workers.
    report = ingest_paths([str(long_)], tmp_path / "alone.db", options=IngestOptions(jobs=2, chunk_pages=3),
                          progress=False)
    assert report.count("ok") == 1
    assert [s for s, _ in seen].count("extract") == 3 and [s for s, _ in seen].count("segment") == 3
    # With 12 pages of other PDFs waiting, it is read in one task while the other worker reads those.
    seen.clear()
    others = _copies(short, tmp_path / "others", 2)
    report = ingest_paths([str(long_), *map(str, others)], tmp_path / "busy.db",
                          options=IngestOptions(jobs=2, chunk_pages=7), progress=False)
    assert report.count("ok") == 3
    assert [s for s, _ in seen] == ["whole", "whole", "whole"]


def test_time_limit_fails_the_file_not_the_batch(tmp_path):
    pdfs = sorted(CORPUS.glob("*.pdf"))
    db = tmp_path / "t.db"
    report = ingest_paths([str(pdfs[0]), str(SEED_TXT[0])], db,
                          options=IngestOptions(jobs=2, timeout=0.001), progress=False)
    by_name = {Path(o.path).name: o for o in report.outcomes}
    assert by_name[pdfs[0].name].outcome == "failed" and "timed out" in by_name[pdfs[0].name].reason
    assert by_name[pdfs[0].name].code == "E106"


def _processes_running(arg: str) -> list[int]:
    """Pids of processes with `arg` on their command line (Linux /proc; none elsewhere)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if arg.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


@pytest.mark.parametrize("jobs", [1, 2])
def test_kill_9_leaves_only_whole_documents_and_a_rerun_finishes(tmp_path, jobs):
    """Interrupt a real ingest with SIGKILL, then check no document is half-written and a re-run completes.

    With --jobs 2 the workers store documents themselves; killed, the main process leaves them to
    finish the document in hand (whole) and exit when they cannot report it."""
    src = tmp_path / "many"
    src.mkdir()
    base = SEED_TXT[0].read_text()
    for i in range(60):
        (src / f"copy_{i:03d}.txt").write_text(f"Variant {i}.\n\n" + base)
    db = tmp_path / "k.db"
    cmd = [sys.executable, "-m", "policyscope", "ingest", str(src), "--db", str(db), "--jobs", str(jobs),
           "--no-progress"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        time.sleep(0.05)
        try:
            n = sqlite3.connect(db, timeout=5).execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        except sqlite3.Error:
            continue
        if n >= 3:
            break
    proc.kill()
    proc.wait()
    # Orphaned workers finish the document in hand, fail to report it, and exit (idle ones notice
    # their parent is gone within a second).
    deadline = time.time() + 10
    while time.time() < deadline and _processes_running(str(db)):
        time.sleep(0.2)
    assert not _processes_running(str(db)), "workers outlived the killed ingest"
    con = sqlite3.connect(db)
    n_docs = con.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    assert 3 <= n_docs < 60, "the kill should land mid-batch"
    for doc_id, n_sent in con.execute("SELECT doc_id, n_sentences FROM documents"):
        assert con.execute("SELECT COUNT(*) FROM sentences WHERE doc_id=?", (doc_id,)).fetchone()[0] == n_sent
    orphans = con.execute("SELECT COUNT(*) FROM sentences WHERE doc_id NOT IN (SELECT doc_id FROM documents)")
    assert orphans.fetchone()[0] == 0
    con.close()
    report = ingest_paths([str(src)], db, options=IngestOptions(jobs=1), progress=False)
    assert report.count("skipped") == n_docs and report.count("ok") == 60 - n_docs


def test_tabular_rows_become_documents_with_their_columns(tmp_path):
    src = tmp_path / "speeches.csv"
    src.write_text("speech_id,date,speaker,text\n"
                   "a1,2014-03-02,Ms Smith,Personal budgets give people choice and control over their care.\n"
                   "a2,2019-07-10,Mr Jones,Integrated care systems will join up health and social care.\n"
                   "a3,2019-07-11,Mr Jones,\n")
    db = tmp_path / "tab.db"
    opts = IngestOptions(jobs=1, text_column="text", date_column="date", title_column="speaker", id_column="speech_id")
    report = ingest_paths([str(src)], db, options=opts, progress=False)
    (o,) = report.outcomes
    assert o.outcome == "ok" and "2 new documents" in o.reason and "1 empty" in o.reason
    with Store(db) as store:
        docs = store.documents()
        assert [(d["title"], d["date"], d["year"]) for d in docs] == [("Ms Smith", "2014-03-02", 2014),
                                                                      ("Mr Jones", "2019-07-10", 2019)]
        assert all(d["path"].endswith(("#row=a1", "#row=a2")) for d in docs)
    again = ingest_paths([str(src)], db, options=opts, progress=False)
    assert again.outcomes[0].outcome == "skipped" and "2 unchanged" in again.outcomes[0].reason


def test_real_speech_csv_ingests_one_document_per_speech(tmp_path):
    from tests.conftest import shared_corpus
    src = shared_corpus("dated-text") / "hoc_parlspeech_v2_sample_shared.csv"
    opts = IngestOptions(jobs=2, text_column="text", date_column="date", title_column="agenda",
                         id_column="parlspeech_row")
    report = ingest_paths([str(src)], tmp_path / "hoc.db", options=opts, progress=False)
    assert report.outcomes[0].outcome == "ok", report.outcomes[0].reason
    with Store(tmp_path / "hoc.db") as store:
        n = store.counts()["documents"]
        years = {d["year"] for d in store.documents()}
    assert n > 600 and min(years) >= 1989 and max(years) <= 2019


def test_near_duplicates_are_marked_and_reported(tmp_path):
    text = SEED_TXT[0].read_text()
    (tmp_path / "draft_2013.txt").write_text(text)
    words = text.split(" ")
    words[len(words) // 2] = "EDITED"
    (tmp_path / "final_2014.txt").write_text(" ".join(words))
    shutil.copy(SEED_TXT[1], tmp_path / SEED_TXT[1].name)
    db = tmp_path / "d.db"
    report = ingest_paths([str(tmp_path)], db, options=IngestOptions(jobs=1), progress=False)
    assert len(report.duplicates) == 1
    dup, canon, sim = report.duplicates[0]
    with Store(db) as store:
        assert store.document(canon)["title"] == "draft_2013" and store.document(dup)["title"] == "final_2014"
        assert store.document(dup)["duplicate_of"] == canon and sim > 0.9
        assert len(store.documents(include_duplicates=False)) == 2
        assert store.conn.execute("SELECT COUNT(*) FROM doc_signatures").fetchone()[0] == 3


def test_docs_and_show_commands_print_the_store(demo_db):
    docs = subprocess.run([sys.executable, "-m", "policyscope", "docs", "--db", str(demo_db)], cwd=REPO,
                          capture_output=True, text=True)
    assert docs.returncode == 0, docs.stderr
    assert "Personalisation - give up or move on?" in docs.stdout and "2014-01-31" in docs.stdout
    with Store(demo_db) as store:
        allen = next(d for d in store.documents() if d["file_type"] == "pdf" and d["n_pages"] == 8)
    shown = subprocess.run([sys.executable, "-m", "policyscope", "show", allen["doc_id"], "--page", "2", "--db",
                            str(demo_db)], cwd=REPO, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert "page 2 of 8" in shown.stdout and "clean-up (" in shown.stdout
    assert "header" in shown.stdout or "footer" in shown.stdout  # the running head was removed and logged
    missing = subprocess.run([sys.executable, "-m", "policyscope", "show", "000000000000", "--db", str(demo_db)],
                             cwd=REPO, capture_output=True, text=True)
    assert missing.returncode == 3 and "E202" in missing.stderr and "policyscope docs" in missing.stderr


def test_a_writer_lock_held_by_a_killed_process_is_released_though_its_children_live(tmp_path):
    # A flock belongs to the open file, which fork shares: workers must not keep alive a lock their
    # parent held when it was killed (store._WriterLock.forget_inherited), or they wait forever.
    import fcntl
    import textwrap

    from policyscope.store import _WriterLock
    db = tmp_path / "lock.db"
    Store(db).close()
    script = textwrap.dedent(f"""
        import os, signal, time
        from policyscope.store import Store
        store = Store({str(db)!r})
        with store._writer_lock:
            if os.fork() == 0:  # a worker that outlives its parent
                time.sleep(20)
                os._exit(0)
            os.kill(os.getpid(), signal.SIGKILL)  # dies holding the lock
    """)
    subprocess.run([sys.executable, "-c", script], cwd=REPO)
    lock = _WriterLock(db)
    try:
        deadline = time.time() + 5
        while True:
            try:
                fcntl.flock(lock.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                assert time.time() < deadline, "the dead process's lock is still held by its child"
                time.sleep(0.1)
    finally:
        lock.close()
        for pid in _processes_running("time.sleep(20)"):
            os.kill(pid, 9)


def test_an_in_memory_store_is_filled_in_this_process_whatever_jobs_says(tmp_path):
    # Workers write through connections of their own, which cannot reach this process's memory.
    with Store(":memory:") as store:
        report = ingest_paths([str(CORPUS)], ":memory:", options=IngestOptions(jobs=2), progress=False,
                              store=store)
        assert report.count("ok") == 5
        assert store.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 5
        assert store.conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0] > 300


def _pid() -> int:
    return os.getpid()


def test_pool_routes_segmenting_tasks_to_workers_forked_with_the_segmenter(monkeypatch):
    from policyscope.ingest import workers
    state = {"loaded": False}
    monkeypatch.setattr(workers, "segmenter_loaded", lambda: state["loaded"])
    with workers.TimedPool(2, timeout=60, start=1) as pool:
        early = pool._workers[0]
        pool.submit("seg", _pid, needs_nlp=True)
        pool.submit("either", _pid, needs_nlp=True, without_nlp=("alt", _pid, ()))
        assert early.task[0] == "alt"  # the early worker takes the task it can do without the segmenter
        state["loaded"] = True
        pool.grow()
        late = pool._workers[1]
        assert late.nlp and not early.nlp
        got = {r.key: r.value for r in pool.results()}
    assert got == {"alt": early.proc.pid, "seg": late.proc.pid}
    state["loaded"] = False
    with workers.TimedPool(2, timeout=60) as pool:  # no worker will ever have it: any worker runs it
        pool.submit("seg", _pid, needs_nlp=True)
        assert [r.key for r in pool.results()] == ["seg"]


def _die() -> None:
    os._exit(3)


def _nap() -> int:
    time.sleep(0.3)
    return os.getpid()


def test_pool_polls_and_holds_back_forks_while_another_thread_loads(monkeypatch):
    from policyscope.ingest import workers
    with workers.TimedPool(1, timeout=60) as pool:
        pool.submit("nap", _nap)
        first = next(pool.results(poll=0.01))
        assert first is None  # nothing ready yet: the caller gets control back
        with pool.no_forks():
            pool.submit("die", _die, first=False)
            got = [r for r in pool.results(poll=0.05) if r is not None]
            died = [r for r in got if r.key == "die"]
            assert died and "died" in str(died[0].error)
            assert len(pool._workers) == 0  # not replaced while forks are held back
        pool.grow()
        assert len(pool._workers) == 1
        pool.submit("after", _pid)
        assert [r.key for r in pool.results()] == ["after"]


def test_the_first_worker_is_kept_fed_while_spacy_loads(tmp_path, monkeypatch):
    """While this process loads spaCy (in a thread), the worker forked before it takes one PDF after
    another instead of waiting for the load to end."""
    from policyscope.ingest import pipeline, workers
    loaded = {"now": False}
    monkeypatch.setattr(workers, "segmenter_loaded", lambda: loaded["now"])
    real_load = pipeline._load_segmenter

    def slow_load():
        time.sleep(1.5)  # a slow machine's spaCy load
        real_load()
        loaded["now"] = True

    monkeypatch.setattr(pipeline, "_load_segmenter", slow_load)
    before_load: list[str] = []
    next_for = workers.TimedPool._next_for

    def recording(self, w):
        item = next_for(self, w)
        if item is not None and not loaded["now"]:
            before_load.append(item[1].__name__)
        return item

    monkeypatch.setattr(workers.TimedPool, "_next_for", recording)
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for i in range(4):  # four copies of one PDF, each a distinct file (a byte appended after %%EOF)
        (folder / f"p{i}.pdf").write_bytes((CORPUS / "2022-allen-et-al-personalisation-integration-sps.pdf")
                                           .read_bytes() + b"\n%" + str(i).encode())
    report = ingest_paths([str(folder)], tmp_path / "fed.db", options=IngestOptions(jobs=2), progress=False)
    assert report.count("ok") + report.count("skipped") == 4
    assert before_load.count("extract_whole_pdf") >= 2  # more than the one it was given at the start
