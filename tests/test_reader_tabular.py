"""iter_tabular: one document per row, streamed; named columns checked; every other column kept."""
from __future__ import annotations

import json
import pickle
import time
from pathlib import Path

import pytest

from tests.conftest import shared_corpus as shared
from policyscope.errors import CorruptFile, EmptyFile, TabularColumnError, UnsupportedFileType
from policyscope.ingest.tabular import TabularRows, iter_tabular



def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


SPEECHES = (
    "id,date,speaker,agenda,text\n"
    "s1,2016-11-16,A Member,Social Care,\"Social care is in crisis.\n\nWe need a plan.\"\n"
    "s2,16/11/2016,B Member,Social Care,\n"
    "s3,not known,C Member,Integrated Care,\"Integrated care\nsystems will help.\"\n"
)


def test_one_document_per_row_with_all_columns_as_metadata(tmp_path):
    rows = iter_tabular(write(tmp_path, "speeches.csv", SPEECHES), text_column="text", date_column="date",
                        title_column="agenda", id_column="id")
    out = list(rows)
    assert [key for key, _ in out] == ["s1", "s3"]  # the empty-text row is skipped ...
    summary = rows.summary
    assert summary.done and summary.n_rows == 3 and summary.n_documents == 2
    assert summary.n_empty_text == 1 and summary.empty_rows == ["s2"]  # ... and counted
    assert summary.n_bad_dates == 1 and summary.columns == ["id", "date", "speaker", "agenda", "text"]
    key, doc = out[0]
    assert doc.file_type == "csv" and len(doc.pages) == 1 and doc.pages[0].page_no == 1
    assert doc.pages[0].text == "Social care is in crisis.\n\nWe need a plan."
    assert doc.pages[0].raw_text == "Social care is in crisis.\n\nWe need a plan."
    meta = doc.metadata
    assert meta["title"] == "Social Care" and meta["date"] == "2016-11-16" and meta["date_source"] == "column"
    assert meta["speaker"] == "A Member" and meta["agenda"] == "Social Care" and meta["id"] == "s1"
    assert meta["col_date"] == "2016-11-16"  # the raw date column is kept; "date" is the normalised one
    assert meta["source_row"] == 1 and len(meta["row_sha256"]) == 64 and "text" not in meta
    assert doc.pages[0].doc_id == meta["row_sha256"][:12]
    third = out[1][1]
    assert third.pages[0].text == "Integrated care systems will help." and "date" not in third.metadata


def test_row_number_is_the_key_without_id_column_and_ids_follow_content(tmp_path):
    a = list(iter_tabular(write(tmp_path, "a.csv", SPEECHES), text_column="text"))
    assert [key for key, _ in a] == ["1", "3"]
    # The same row read from another file (other name, rows reordered) keeps its doc_id.
    one = list(iter_tabular(write(tmp_path, "one.csv", "id,text\nx,Alpha.\ny,Beta.\n"), text_column="text"))
    two = list(iter_tabular(write(tmp_path, "two.csv", "id,text\ny,Beta.\nx,Alpha.\n"), text_column="text"))
    assert {d.pages[0].doc_id for _, d in one} == {d.pages[0].doc_id for _, d in two}
    assert one[0][1].pages[0].doc_id != one[1][1].pages[0].doc_id


def test_duplicate_ids_get_a_row_suffix(tmp_path):
    path = write(tmp_path, "dup.csv", "doc,text\nm1,First.\nm1,Second.\n")
    rows = iter_tabular(path, text_column="text", id_column="doc")
    assert [key for key, _ in rows] == ["m1", "m1#2"] and rows.summary.n_duplicate_keys == 1


def test_missing_columns_name_the_file_the_column_and_the_columns(tmp_path):
    path = write(tmp_path, "speeches.csv", SPEECHES)
    with pytest.raises(TabularColumnError) as err:
        iter_tabular(path, text_column="speech")  # raised at the call, before any row is read
    message = str(err.value)
    assert err.value.path == str(path) and str(path) in message and "'speech'" in message
    assert "id, date, speaker, agenda, text" in message and err.value.code == "E111"
    with pytest.raises(TabularColumnError, match="date_column 'when'"):
        iter_tabular(path, text_column="text", date_column="when")


def test_tsv_semicolons_and_jsonl(tmp_path):
    tsv = write(tmp_path, "rows.tsv", "text\tyear\nPersonal budgets, for all.\t2010\n")
    (key, doc), = iter_tabular(tsv, text_column="text", date_column="year")
    assert doc.file_type == "tsv" and doc.pages[0].text == "Personal budgets, for all." and doc.metadata["date"] == "2010"
    semi = write(tmp_path, "rows.csv", "text;year\nChoice, and control.;2011\nIntegration.;2012\n")
    rows = iter_tabular(semi, text_column="text")
    assert [d.pages[0].text for _, d in rows] == ["Choice, and control.", "Integration."]
    assert rows.summary.delimiter == ";"
    lines = [json.dumps({"id": 7, "text": "Joined-up care.", "meta": {"party": "Lab"}, "date": "2019-12-12"}),
             "", "{not json", json.dumps(["a", "list"]),
             json.dumps({"id": 8, "text": "   ", "date": "2019"}), json.dumps({"id": 9, "date": "2019"})]
    jl = write(tmp_path, "rows.jsonl", "\n".join(lines) + "\n")
    rows = iter_tabular(jl, text_column="text", date_column="date", id_column="id")
    out = list(rows)
    assert [key for key, _ in out] == ["7"] and out[0][1].metadata["meta"] == {"party": "Lab"}
    assert out[0][1].metadata["date"] == "2019-12-12" and out[0][1].file_type == "jsonl"
    assert rows.summary.n_invalid == 2 and rows.summary.invalid_lines == [3, 4]
    assert rows.summary.n_empty_text == 2  # blank text and a row without the text key


def test_bad_files(tmp_path):
    with pytest.raises(EmptyFile):
        iter_tabular(write(tmp_path, "empty.csv", b""), text_column="text")
    with pytest.raises(CorruptFile, match="not JSON"):
        iter_tabular(write(tmp_path, "bad.jsonl", "text: hello\n"), text_column="text")
    with pytest.raises(UnsupportedFileType):
        iter_tabular(write(tmp_path, "rows.xlsx", b"PK"), text_column="text")
    cp1252 = write(tmp_path, "win.csv", b"text\nCaf\xe9 \x93care\x94\n")
    rows = iter_tabular(cp1252, text_column="text")
    assert [d.pages[0].text for _, d in rows] == ["Café “care”"] and rows.summary.encoding == "cp1252"


def test_rows_stream(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("n,text\n")
        for i in range(100_000):
            fh.write(f"{i},Row {i} is about personal budgets and integrated care.\n")
    rows = iter_tabular(path, text_column="text", id_column="n")
    assert isinstance(rows, TabularRows) and iter(rows) is rows
    start = time.perf_counter()
    key, doc = next(rows)
    assert key == "0" and time.perf_counter() - start < 1.0  # the first row does not wait for the file
    assert rows.summary.n_rows == 1 and not rows.summary.done
    assert pickle.loads(pickle.dumps(doc)) == doc


# --- real files (read in place) ---------------------------------------------------------------
def test_manifesto_project_quasi_sentences():
    path = shared("dated-text", "cmp_coded_2017-06_liberal_democrats.csv")
    rows = iter_tabular(path, text_column="text", date_column="date", title_column="title", id_column="pos")
    out = list(rows)
    assert rows.summary.n_rows == 1207 == len(out) and rows.summary.n_empty_text == 0
    assert out[1][0] == "2" and out[1][1].pages[0].text == "1.1 Giving the people the final say"
    key, doc = out[2]
    assert key == "3" and doc.pages[0].text == "Liberal Democrats are open and outward-looking."
    meta = doc.metadata
    assert meta["date"] == "2017-06" and meta["col_date"] == "201706"  # YYYYMM → YYYY-MM
    assert meta["title"] == "Change Britain´s future. Liberal Democrat manifesto 2017"
    assert meta["cmp_code"] == "107" and meta["party"] == "51421" and meta["id"] == "51421_201706"
    # `id` names the manifesto, not the row: as an id column every row after the first would repeat it.
    rows = iter_tabular(path, text_column="text", id_column="id")
    keys = [k for k, _ in rows]
    assert keys[0] == "51421_201706" and keys[1] == "51421_201706#2" and rows.summary.n_duplicate_keys == 1206


def test_parlspeech_speeches():
    rows = iter_tabular(shared("dated-text", "hoc_parlspeech_v2_sample_shared.csv"), text_column="text",
                        date_column="date", title_column="agenda", id_column="parlspeech_row")
    out = dict(rows)
    assert rows.summary.n_documents == 667 == len(out) and rows.summary.n_duplicate_keys == 0
    doc = out["9956"]
    assert doc.metadata["date"] == "1989-01-17" and doc.metadata["speaker"] == "Patrick Nicholls"
    assert doc.metadata["title"] == "Construction Industry (Deaths) [Oral Answers To Questions > Employment]"
    assert doc.pages[0].text.startswith("The Health and Safety Executive has to consider any offers")
