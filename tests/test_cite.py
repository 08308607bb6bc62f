"""Citations: author short forms, the pasteable citation, `policyscope cite`."""
from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from policyscope.cli import cli, register
from policyscope.cli import track as track_cli
from policyscope.errors import NotInStore
from policyscope.citation import cite_sentence, document_citation, sentence_citation, short_authors
from policyscope.store import open_store

register(track_cli)


@pytest.mark.parametrize("authors, short", [
    ("Allen et al. (corresponding author k.allen)", "Allen et al."),
    ("Simon Duffy", "Duffy"),
    ("Catherine Needham, Jon Glasby", "Needham and Glasby"),
    ("Martin Routledge, Alex Fox, Miro Griffiths, Vidhya Alakeson", "Routledge et al."),
    ("Allen, K., Needham, C., Hall, K.", "Allen et al."),
    ("Smith J; Jones K", "Smith and Jones"),
    ("", None),
    (None, None),
])
def test_short_authors(authors, short):
    assert short_authors(authors) == short


def test_document_and_sentence_citation_shapes():
    doc = {"authors": "Catherine Needham, Jon Glasby", "title": "Debates in personalisation", "date": "2015-12",
           "publisher": "LSE blog", "n_pages": 1}
    assert document_citation(doc) == 'Needham and Glasby (2015) "Debates in personalisation", LSE blog'
    assert sentence_citation(doc, 1, "abcdefabcdef:p001:s002").endswith("[policyscope abcdefabcdef:p001:s002]")
    assert ", p. 1" not in sentence_citation(doc, 1, "abcdefabcdef:p001:s002")  # one-page web text: no page
    pdf = {**doc, "n_pages": 8, "date": None, "authors": None, "publisher": None}
    assert sentence_citation(pdf, 4, "x") == '(n.d.) "Debates in personalisation", p. 4 [policyscope x]'


def test_cite_a_sentence_from_the_pdf_article(demo_db):
    con = sqlite3.connect(demo_db)
    sid = con.execute("SELECT s.sentence_id FROM sentences s JOIN documents d USING (doc_id) "
                      "WHERE d.date='2022' AND s.page_no=4 AND s.section='body' ORDER BY s.seq LIMIT 1").fetchone()[0]
    with open_store(demo_db) as st:
        c = cite_sentence(st, sid)
    assert c.citation.startswith('Allen et al. (2022) "Personalisation and Integration in Adult Social Care')
    assert ", p. 4 [policyscope " + sid + "]" in c.citation
    assert c.passage[c.sentence_start:c.sentence_end] == c.sentence
    assert c.licence == "CC BY 4.0"


def test_cli_cite_and_unknown_id(demo_db):
    con = sqlite3.connect(demo_db)
    sid = con.execute("SELECT sentence_id FROM sentences WHERE text LIKE '%personal budget%' LIMIT 1").fetchone()[0]
    run = CliRunner()
    r = run.invoke(cli, ["cite", sid, "--db", str(demo_db)], catch_exceptions=False)
    assert r.exit_code == 0 and "Citation" in r.output and f"[policyscope {sid}]" in r.output and "Passage" in r.output
    r = run.invoke(cli, ["cite", sid, "--db", str(demo_db), "--format", "json"], catch_exceptions=False)
    assert json.loads(r.stdout)["sentence_id"] == sid
    r = run.invoke(cli, ["cite", sid, "--db", str(demo_db), "--format", "markdown"], catch_exceptions=False)
    assert r.output.startswith("> “")
    r = run.invoke(cli, ["cite", "000000000000:p001:s001", "--db", str(demo_db)])
    assert r.exit_code == 3 and "E202" in r.output
    with open_store(demo_db) as st, pytest.raises(NotInStore):
        cite_sentence(st, "nope")
