"""ingest and track on a real dask.distributed LocalCluster (worker processes over loopback).

One cluster serves the module (starting one costs seconds); the CLI test starts its own with
--cluster local:2, as a user would. Skipped, with the reason, where the `dask` extra is absent.
"""
from __future__ import annotations

import filecmp
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import CORPUS, REPO, shared_corpus
from policyscope.analyse.track import TrackOptions, run_track
from policyscope.errors import ClusterError, SchedulerUnreachable, UsageError, WorkerDependencyMissing
from policyscope.ingest import IngestOptions, ingest_paths

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed: pip install 'policyscope[dask]'")

OUTPUTS = ("concept_share.csv", "evidence.csv", "denominators.csv", "changepoints.csv")
SENTENCES = "SELECT sentence_id, passage_id, doc_id, page_no, char_start, char_end, text, n_tokens, lemmas, section " \
            "FROM sentences ORDER BY sentence_id"


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of two single-threaded worker processes on 127.0.0.1, and a client to look at it."""
    import logging
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                      silence_logs=logging.ERROR) as c, Client(c) as client:
        yield c.scheduler_address, client


def _rows(db, sql=SENTENCES):
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchall()


def _same_outputs(a: Path, b: Path) -> None:
    for name in OUTPUTS:
        assert filecmp.cmp(a / name, b / name, shallow=False), f"{name} differs"


def test_cli_ingest_and_track_on_local_cluster_match_the_local_run_byte_for_byte(tmp_path, demo_db):
    env = {**os.environ, "POLICYSCOPE_SCHEDULER": ""}
    db = tmp_path / "c.db"
    run = [sys.executable, "-m", "policyscope"]
    out = subprocess.run(run + ["ingest", str(CORPUS), "--db", str(db), "--cluster", "local:2", "--no-progress"],
                         cwd=REPO, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert "5 ok, 0 skipped, 0 failed" in out.stdout
    assert _rows(db) == _rows(demo_db)
    docs = "SELECT doc_id, path, title, date, n_pages, n_sentences, n_tokens FROM documents ORDER BY doc_id"
    assert _rows(db, docs) == _rows(demo_db, docs)
    for args, folder in ((["--db", str(db), "--cluster", "local:2"], "cluster"), (["--db", str(demo_db)], "local")):
        out = subprocess.run(run + ["track", *args, "--by", "5y", "--by-doc-type", "--out", str(tmp_path / folder)],
                             cwd=REPO, capture_output=True, text=True, env=env)
        assert out.returncode == 0, out.stderr
    _same_outputs(tmp_path / "cluster", tmp_path / "local")
    import json
    engine = json.loads((tmp_path / "cluster" / "run.json").read_text())["engine"]
    assert engine["scheduler"] == "local:2" and engine["workers"] == 2
    assert "engine" not in json.loads((tmp_path / "local" / "run.json").read_text())


@pytest.mark.shared
def test_real_policy_pdfs_on_the_cluster_give_the_local_store_and_outputs(tmp_path, cluster):
    from policyscope.analyse.track_cluster import run_track_on_cluster
    folder = shared_corpus("policy")
    files = [str(p) for p in sorted(folder.glob("*.pdf"))[:6]] + [str(p) for p in sorted(folder.glob("*.md"))[:3]]
    address, _ = cluster
    local, remote = tmp_path / "local.db", tmp_path / "remote.db"
    a = ingest_paths(files, local, options=IngestOptions(jobs=2), progress=False)
    # chunk_pages small: long PDFs are split by page range, joined and stored by the client
    b = ingest_paths(files, remote, options=IngestOptions(scheduler=address, chunk_pages=8), progress=False)
    assert [(o.path, o.outcome, o.doc_id, o.n_sentences) for o in a.outcomes] == \
        [(o.path, o.outcome, o.doc_id, o.n_sentences) for o in b.outcomes]
    assert b.count("ok") >= 6
    assert _rows(remote) == _rows(local)
    opts = TrackOptions(by="5y", bootstrap=200)
    run_track(local, tmp_path / "t_local", opts)
    run_track_on_cluster(remote, tmp_path / "t_remote", opts, address, rows_per_partition=500)
    _same_outputs(tmp_path / "t_local", tmp_path / "t_remote")


def test_shipped_files_give_the_same_store(tmp_path, cluster, demo_db):
    address, _ = cluster
    db = tmp_path / "s.db"
    report = ingest_paths([str(CORPUS)], db, options=IngestOptions(scheduler=address, ship_files=True), progress=False)
    assert report.count("ok") == 5
    assert _rows(db) == _rows(demo_db)


def test_a_worker_killed_mid_run_has_its_task_retried_and_the_run_completes_identically(tmp_path, cluster):
    address, client = cluster
    src = tmp_path / "many"
    src.mkdir()
    pdfs = sorted(CORPUS.glob("*.pdf"))
    for i in range(12):  # distinct files (distinct hashes), real pages
        for p in pdfs:
            (src / f"c{i:02d}_{p.name}").write_bytes(p.read_bytes() + f"\n%copy {i}\n".encode())
    local = tmp_path / "local.db"
    ingest_paths([str(src)], local, options=IngestOptions(jobs=1), progress=False)
    db = tmp_path / "k.db"
    killed: list = []

    def kill_a_busy_worker() -> None:
        deadline = time.time() + 60
        while time.time() < deadline and not killed:
            time.sleep(0.05)
            try:
                n = sqlite3.connect(db, timeout=5).execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            except sqlite3.Error:
                continue
            busy = [w for w, keys in client.processing().items() if keys]
            if n >= 2 and busy:
                pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append((busy[0], pid))

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    report = ingest_paths([str(src)], db, options=IngestOptions(scheduler=address), progress=False)
    killer.join()
    assert killed, "no worker was busy to kill"
    assert report.count("ok") == 2 * 12, [o.reason for o in report.outcomes if o.outcome != "ok"]
    assert _rows(db) == _rows(local)
    client.wait_for_workers(2, timeout=60)  # the nanny replaced the killed worker


def test_a_task_that_keeps_failing_becomes_an_error_naming_the_worker(tmp_path, cluster):
    from policyscope.ingest import tasks
    from policyscope.ingest.dask_pool import DaskPool
    address, client = cluster
    not_a_pdf = tmp_path / "folder.pdf"
    not_a_pdf.mkdir()  # pdfium cannot open a folder: not a file's outcome (InputFileError), so retried
    from distributed import Client
    from contextlib import nullcontext
    with Client(address) as own:
        pool = DaskPool(own, nullcontext(), timeout=60, retries=1, ship_files=False, label=address)
        pool.submit((0, "extract", 1), tasks.extract_pdf_chunk, str(not_a_pdf), 1, 1, None, "pdfium")
        (res,) = list(pool.results())
    assert res.error is not None and not res.timed_out
    assert "on worker tcp://127.0.0.1:" in str(res.error), res.error


def _poison_extraction(name: str | None) -> None:
    """On a worker: make extracting the PDF called `name` raise an unexpected error (None: undo)."""
    from policyscope.ingest import pdf, tasks
    if name is None:
        tasks.extract_pages = pdf.extract_pages
        return

    def extract_pages(path, *args, **kwargs):
        if os.path.basename(path) == name:
            raise RuntimeError(f"poisoned extraction of {name}")
        return pdf.extract_pages(path, *args, **kwargs)
    tasks.extract_pages = extract_pages


def test_a_task_that_keeps_failing_through_an_ingest_run_becomes_that_files_failed_outcome(tmp_path, cluster):
    """Not a file's own error (corrupt, encrypted): retried on the cluster, then the file's failed outcome naming
    the worker and its error, while the other files are stored and the run ends."""
    address, client = cluster
    pdfs = sorted(CORPUS.glob("*.pdf"))
    poisoned = pdfs[0].name
    client.run(_poison_extraction, poisoned)
    try:
        t0 = time.monotonic()
        report = ingest_paths([str(CORPUS)], tmp_path / "p.db", options=IngestOptions(scheduler=address, retries=2),
                              progress=False)
        seconds = time.monotonic() - t0
    finally:
        client.run(_poison_extraction, None)
    by_name = {Path(o.path).name: o for o in report.outcomes}
    bad = by_name[poisoned]
    assert bad.outcome == "failed" and bad.code
    assert re.search(r"TaskFailedOnWorker: on worker tcp://127\.0\.0\.1:\d+: RuntimeError: poisoned extraction",
                     bad.reason), bad.reason
    assert report.count("ok") == 4 and seconds < 60
    with sqlite3.connect(tmp_path / "p.db") as con:
        logged = con.execute("SELECT outcome, reason FROM ingest_log WHERE path LIKE ?", (f"%{poisoned}",)).fetchall()
    assert logged == [("failed", bad.reason)]


def _descendants(pid: int) -> list[int]:
    import psutil
    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


def test_kill_9_of_the_client_mid_run_leaves_whole_documents_and_a_rerun_finishes(tmp_path, cluster):
    """The client, the one writer, killed with SIGKILL while a LocalCluster (--cluster local:2) works for it: every
    stored document is whole, the cluster's worker processes go, and the same ingest run again finishes."""
    import psutil
    src = tmp_path / "many"
    src.mkdir()
    base = sorted(CORPUS.glob("*.txt"))[0].read_text()
    n_files = 120
    for i in range(n_files):
        (src / f"copy_{i:03d}.txt").write_text(f"Variant {i}.\n\n" + base)
    db = tmp_path / "k.db"
    env = {**os.environ, "POLICYSCOPE_SCHEDULER": ""}
    proc = subprocess.Popen([sys.executable, "-m", "policyscope", "ingest", str(src), "--db", str(db), "--cluster",
                             "local:2", "--no-progress"], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)
    workers: list[int] = []
    deadline = time.time() + 90
    while time.time() < deadline:
        time.sleep(0.05)
        workers = _descendants(proc.pid) or workers
        try:
            n = sqlite3.connect(db, timeout=5).execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        except sqlite3.Error:
            continue
        if n >= 3:
            break
    workers = _descendants(proc.pid) or workers
    proc.kill()
    proc.wait()
    assert workers, "the cluster's worker processes were not seen"
    _, alive = psutil.wait_procs([psutil.Process(p) for p in workers if psutil.pid_exists(p)], timeout=20)
    assert not alive, "worker processes outlived the killed client"
    con = sqlite3.connect(db)
    n_docs = con.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    assert 3 <= n_docs < n_files, "the kill should land mid-batch"
    for doc_id, n_sent, n_pass in con.execute("SELECT doc_id, n_sentences, n_passages FROM documents"):
        assert con.execute("SELECT COUNT(*) FROM sentences WHERE doc_id=?", (doc_id,)).fetchone()[0] == n_sent
        assert con.execute("SELECT COUNT(*) FROM passages WHERE doc_id=?", (doc_id,)).fetchone()[0] == n_pass
    for table in ("sentences", "passages", "pages"):
        orphans = con.execute(f"SELECT COUNT(*) FROM {table} WHERE doc_id NOT IN (SELECT doc_id FROM documents)")
        assert orphans.fetchone()[0] == 0, table
    con.close()
    address, _ = cluster
    report = ingest_paths([str(src)], db, options=IngestOptions(scheduler=address), progress=False)
    assert report.count("skipped") == n_docs and report.count("ok") == n_files - n_docs


def test_every_pool_takes_the_same_submit_arguments_and_has_grow():
    import inspect
    from policyscope.ingest.dask_pool import DaskPool
    from policyscope.ingest.workers import InlinePool, TimedPool
    wanted = {"timeout": None, "reads": None, "needs_nlp": False, "first": False, "without_nlp": None, "size": 0}
    for pool in (TimedPool, InlinePool, DaskPool):
        params = inspect.signature(pool.submit).parameters
        assert {k: params[k].default for k in wanted if k in params} == wanted, pool
        assert callable(getattr(pool, "grow", None)), pool


def test_the_cluster_pool_runs_the_whole_form_of_a_task_whatever_the_local_routing_says(cluster):
    """The local pool's "fork before spaCy" routing (needs_nlp, without_nlp, size) does not apply on a
    cluster: every worker loads the segmenter at connect, so the task always runs in its whole form."""
    from contextlib import nullcontext
    from distributed import Client
    from policyscope.ingest.dask_pool import DaskPool
    address, _ = cluster
    with Client(address) as own:
        pool = DaskPool(own, nullcontext(), timeout=60, retries=0, ship_files=False, label=address)
        pool.grow()
        pool.submit((0, "whole", 0), os.path.basename, "/a/b.pdf", reads="/a/b.pdf", needs_nlp=True,
                    without_nlp=((0, "pages", 0), os.path.dirname, ("/a/b.pdf",)), size=3)
        pool.submit((1, "whole", 0), os.path.basename, "/c/d.pdf", needs_nlp=True, first=True)
        results = sorted(pool.results(), key=lambda r: r.key)
    assert [(r.key, r.value, r.error) for r in results] == [((0, "whole", 0), "b.pdf", None),
                                                           ((1, "whole", 0), "d.pdf", None)]


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    with pytest.raises(SchedulerUnreachable, match="127.0.0.1:9"):
        ingest_paths([str(CORPUS)], tmp_path / "x.db", options=IngestOptions(scheduler="tcp://127.0.0.1:9"),
                     progress=False)
    out = subprocess.run([sys.executable, "-m", "policyscope", "track", "--db", str(tmp_path / "x.db"), "--out",
                          str(tmp_path / "o"), "--scheduler", "127.0.0.1:9"], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 4 and "[E702] tcp://127.0.0.1:9: cannot reach the Dask scheduler" in out.stderr


def test_a_worker_missing_a_package_is_named(cluster):
    from policyscope.distributed.cluster import check_workers
    _, client = cluster
    with pytest.raises(WorkerDependencyMissing, match=r"tcp://127\.0\.0\.1:\d+: the worker cannot import "
                                                      r"no_such_module_for_policyscope"):
        check_workers(client, needs=["pandas", "no_such_module_for_policyscope"])
    with pytest.raises(ClusterError, match="cannot read /no/such/store.db"):
        check_workers(client, paths=["/no/such/store.db"])


def test_cluster_flags_are_checked():
    from policyscope.distributed.spec import ClusterSpec, choose_cluster
    assert choose_cluster(None, None, env={}) is None
    assert choose_cluster(None, None, env={"POLICYSCOPE_SCHEDULER": "10.1.2.3:8786"}).address == "tcp://10.1.2.3:8786"
    assert choose_cluster(None, "local:3", env={}).local_workers == 3
    assert ClusterSpec.parse("tls://[::1]:8786").host_port == ("::1", 8786)
    for scheduler, cluster in (("tcp://a:1", "local:2"), ("local:2", None), (None, "tcp://a:1"), ("a", None),
                               (None, "local:0")):
        with pytest.raises(UsageError):
            choose_cluster(scheduler, cluster, env={})
    with pytest.raises(UsageError, match="--jobs"):
        ingest_paths([str(CORPUS)], ":memory:", options=IngestOptions(jobs=2, scheduler="local:1"), progress=False)


CORPUS_FILES = ("tokens.txt", "units.csv", "short_units.csv", "short_tokens.txt", "dictionary.txt", "documents.csv",
                "stats.json")


@pytest.mark.parametrize("phrases,max_vocab,where", [(True, 2_000_000, "workers"), (True, 50, "client")])
def test_topic_corpus_prepared_on_the_cluster_is_the_local_one_file_for_file(tmp_path, cluster, demo_db, phrases,
                                                                             max_vocab, where):
    """Every pass on the workers (phrases with trigrams, terms, vocabulary counts, document-term matrix); and
    when one pass would have pruned its counts (a tiny phrase_max_vocab here), the client's own passes."""
    from policyscope.analyse.topics.corpus import prepare_corpus
    from policyscope.analyse.topics.settings import CorpusSettings
    from policyscope.analyse.topics.topics_cluster import prepare_corpus_on_cluster
    from policyscope.store import open_store
    address, _ = cluster
    settings = CorpusSettings(no_below=2, phrases=phrases, phrase_min_count=2, phrase_max_vocab=max_vocab)
    with open_store(demo_db) as store:
        prepare_corpus(store, settings, tmp_path / "local")
        _, engine = prepare_corpus_on_cluster(store, settings, tmp_path / "cluster", address, per_partition=150)
    assert engine["workers"] == 2 and engine["prepared_on"] == where
    dtm = [f"dtm/{p.name}" for p in sorted((tmp_path / "local" / "dtm").iterdir())]
    assert dtm
    for name in CORPUS_FILES + tuple(dtm):
        assert filecmp.cmp(tmp_path / "local" / name, tmp_path / "cluster" / name, shallow=False), name
    if phrases:  # the phrase models: the same phrases with the same scores, in the same order (the files
        from gensim.models.phrases import FrozenPhrases  # differ by gensim's timestamp of their making)
        for name in ("phrases_bigrams.pkl", "phrases_trigrams.pkl"):
            a, b = (list(FrozenPhrases.load(str(tmp_path / f / name)).phrasegrams.items()) for f in ("local", "cluster"))
            assert a == b and (a or where == "client"), name
    if where == "workers":
        assert "_" in (tmp_path / "local" / "tokens.txt").read_text()  # some phrase was learnt and applied


def test_topics_fit_on_a_local_cluster_writes_what_the_local_run_writes(tmp_path, demo_db):
    import json
    env = {**os.environ, "POLICYSCOPE_SCHEDULER": ""}
    for where, extra in (("local", []), ("cluster", ["--cluster", "local:2"])):
        out = subprocess.run([sys.executable, "-m", "policyscope", "topics", "fit", "--db", str(demo_db), "--k", "4",
                              "--backend", "lda", "--out", str(tmp_path / where / "run"), "-q", *extra],
                             cwd=REPO, capture_output=True, text=True, env=env)
        assert out.returncode == 0, out.stderr[-3000:]
    a, b = tmp_path / "local" / "run", tmp_path / "cluster" / "run"
    for name in ("topics.json", "document_topics.csv", "unit_topics.npy", "corpus/tokens.txt", "corpus/dtm/part-00000.npy"):
        assert filecmp.cmp(a / name, b / name, shallow=False), name
    config = [json.loads((f / "config.json").read_text()) for f in (a, b)]
    for c in config:
        c["fit"].pop("seconds")
    assert config[0] == config[1]
    engine = json.loads((b / "run.json").read_text())["engine"]
    assert engine["scheduler"] == "local:2" and engine["prepared_on"] == "workers"
