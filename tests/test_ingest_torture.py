"""Every file in ../shared/corpus/pdf-torture gets the right outcome, with a reason a person understands."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policyscope.ingest import IngestOptions, ingest_paths
from policyscope.store import Store
from tests.conftest import REPO, shared_corpus

EXPECTED = {
    # file: (outcome, words the reason must contain)
    "arabic-rtl-rotated.pdf": ("ok", ""),
    "corrupted-stream.pdf": ("ok", ""),  # pdfium recovers the readable part of the damaged stream
    "encrypted-aes256.pdf": ("failed", "encrypted"),
    "federal-register-3col.pdf": ("ok", ""),
    "french-diacritics.pdf": ("ok", ""),
    "japanese-cjk.pdf": ("ok", ""),
    "latex-multicolumn.pdf": ("ok", ""),
    "ligatures-copy-paste.pdf": ("ok", ""),
    "line-numbered-transcript.pdf": ("ok", ""),
    "long-german-117pages.pdf": ("ok", ""),
    "password-user-test.pdf": ("failed", "encrypted"),
    "rotated-page-table.pdf": ("ok", ""),
    "scanned-no-text-layer.pdf": ("skipped", "OCR needed"),
    "scanned-with-ocr-layer.pdf": ("ok", ""),
    "tracemonkey-2col-paper.pdf": ("ok", ""),
    "xref-keyword-missing.pdf": ("ok", ""),  # pdfium rebuilds the cross-reference table
    "zero-bytes.pdf": ("skipped", "empty"),
}


@pytest.fixture(scope="module")
def torture_run(tmp_path_factory):
    folder = shared_corpus("pdf-torture")
    db = tmp_path_factory.mktemp("torture") / "t.db"
    report = ingest_paths([str(folder)], db, options=IngestOptions(jobs=2), progress=False)
    return folder, db, report


def test_each_torture_file_gets_exactly_one_right_outcome(torture_run):
    folder, db, report = torture_run
    got = {Path(o.path).name: o for o in report.outcomes}
    assert sorted(got) == sorted(EXPECTED), "one outcome per file, no more, no less"
    for name, (outcome, words) in EXPECTED.items():
        o = got[name]
        assert o.outcome == outcome, f"{name}: {o.outcome} ({o.reason})"
        assert words.lower() in o.reason.lower(), f"{name}: reason {o.reason!r} should mention {words!r}"
        if outcome != "ok":
            assert o.code.startswith("E1"), f"{name}: failures carry an error code"


def test_torture_pages_are_numbered_like_the_pdf(torture_run):
    folder, db, report = torture_run
    with Store(db) as store:
        docs = {Path(d["path"]).name: d for d in store.documents()}
        german = docs["long-german-117pages.pdf"]
        assert german["n_pages"] == 117
        pages = [r[0] for r in store.conn.execute("SELECT page_no FROM pages WHERE doc_id=? ORDER BY page_no",
                                                  (german["doc_id"],))]
        assert pages == list(range(1, 118))
        # Ligatures come back as letters.
        lig = store.page(docs["ligatures-copy-paste.pdf"]["doc_id"], 1)["text"]
        assert not any(ch in lig for ch in "\ufb00\ufb01\ufb02\ufb03\ufb04")


def test_passwords_open_encrypted_files_from_the_manifest(tmp_path):
    folder = shared_corpus("pdf-torture")
    passwords = {}
    for row in csv.DictReader(open(folder / "MANIFEST.csv", encoding="utf-8")):
        if row["file"] == "password-user-test.pdf":
            passwords[row["file"]] = "test"
        elif row["file"] == "encrypted-aes256.pdf":
            passwords[row["file"]] = "foo"
    manifest = tmp_path / "meta.csv"
    with open(manifest, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "title", "date", "password"])
        for name, pw in passwords.items():
            w.writerow([name, f"Encrypted sample {name}", "2020", pw])
    report = ingest_paths([str(folder / n) for n in passwords], tmp_path / "p.db", manifest=manifest,
                          options=IngestOptions(jobs=1), progress=False)
    assert [o.outcome for o in report.outcomes] == ["ok", "ok"], [o.reason for o in report.outcomes]
    with Store(tmp_path / "p.db") as store:
        assert {d["title"] for d in store.documents()} == {f"Encrypted sample {n}" for n in passwords}


def test_cli_password_option_and_exit_code(tmp_path):
    folder = shared_corpus("pdf-torture")
    db = tmp_path / "c.db"
    cmd = [sys.executable, "-m", "policyscope", "ingest", str(folder / "password-user-test.pdf"),
           str(folder / "zero-bytes.pdf"), "--db", str(db), "--password", "test", "--no-progress"]
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "1 ok, 1 skipped, 0 failed" in out.stdout


def test_cli_exits_non_zero_when_nothing_can_run(tmp_path):
    bad_manifest = tmp_path / "m.csv"
    bad_manifest.write_text("title\nx\n")
    out = subprocess.run([sys.executable, "-m", "policyscope", "ingest", str(REPO / "corpus"), "--db",
                          str(tmp_path / "x.db"), "--manifest", str(bad_manifest)], cwd=REPO, capture_output=True,
                         text=True)
    assert out.returncode == 2
    assert "E110" in out.stderr and "m.csv" in out.stderr
    out = subprocess.run([sys.executable, "-m", "policyscope", "ingest", str(REPO / "corpus"), "--db",
                          "/proc/forbidden/x.db"], cwd=REPO, capture_output=True, text=True)
    assert out.returncode != 0 and "E200" in out.stderr


def test_ocr_reads_a_scanned_pdf_when_tesseract_is_installed(tmp_path):
    from policyscope.ingest.ocr import ocr_available
    ok, why = ocr_available()
    if not ok:
        pytest.skip(f"--ocr needs OCRmyPDF and Tesseract: {why} (scripts/install_ocr.sh installs Tesseract)")
    scan = shared_corpus("pdf-torture", "scanned-no-text-layer.pdf")
    report = ingest_paths([str(scan)], tmp_path / "o.db", options=IngestOptions(jobs=1, ocr=True, timeout=240),
                          progress=False)
    (o,) = report.outcomes
    assert o.outcome == "ok", o.reason
    with Store(tmp_path / "o.db") as store:
        doc = store.documents()[0]
        assert doc["extractor"] == "pdfium+ocr"
        assert "pdf.js" in store.page(doc["doc_id"], 1)["text"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_after_ocr_the_pages_come_from_the_ocr_copy_not_the_scan(tmp_path, monkeypatch, jobs):
    """The scan's own text layer holds only 'pdf.js'; whatever OCR returns is what must be stored.
    (OCR itself is stood in for by a real PDF with text, so this runs without Tesseract.)"""
    from policyscope.ingest import ocr
    scan = shared_corpus("pdf-torture", "scanned-no-text-layer.pdf")
    text_pdf = REPO / "corpus" / "2022-allen-et-al-personalisation-integration-sps.pdf"

    def fake_ocr(path, password=None, timeout=None):
        copy = tmp_path / "ocr-copy.pdf"
        shutil.copy(text_pdf, copy)
        return copy

    monkeypatch.setattr(ocr, "ocr_pdf", fake_ocr)
    report = ingest_paths([str(scan)], tmp_path / "o.db", options=IngestOptions(jobs=jobs, ocr=True),
                          progress=False)
    (o,) = report.outcomes
    assert o.outcome == "ok", o.reason
    with Store(tmp_path / "o.db") as store:
        doc = store.documents()[0]
        assert doc["extractor"] == "pdfium+ocr" and doc["path"] == str(scan)
        assert "Personalisation" in store.page(doc["doc_id"], 1)["text"]
