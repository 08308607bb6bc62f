"""The baseline of bench_ingest_process.py: a bare script that opens every PDF of a folder with
pypdfium2 and reads the text of every page, as a user would write it. Prints the page count.

Run:  .venv/bin/python benchmarks/pdfium_text_dump.py FOLDER
"""
import os
import sys

import pypdfium2 as pdfium


def text_dump(paths) -> int:
    """Open each PDF, read the text of every page; the number of pages read."""
    pages = 0
    for path in paths:
        doc = pdfium.PdfDocument(str(path))
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
            pages += 1
        doc.close()
    return pages


def main(folder: str) -> None:
    print(text_dump(os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.lower().endswith(".pdf")))


if __name__ == "__main__":
    main(sys.argv[1])
