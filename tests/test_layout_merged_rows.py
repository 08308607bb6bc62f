"""Gutters inside lines that run across columns (layout/merged_rows.py): rectangles in, strips out."""
from __future__ import annotations

from policyscope.ingest.layout import merged_rows as mr

SIZE = 10.0


def row(*spans, bottom=100.0):
    """Rectangles of one row: (left, right) spans at one baseline."""
    return [(a, bottom, b, bottom + SIZE) for a, b in spans]


def two_column_line(end_of_left: float, bottom: float = 100.0):
    # words of the left column up to `end_of_left`, a gutter, words of the right column from 306
    return row((56, 120), (123, 200), (203, end_of_left), (306, 400), (403, 539), bottom=bottom)


def test_row_gaps_report_the_gutter_and_the_text_beside_it():
    gaps = mr.row_gaps(two_column_line(288.0), SIZE)
    assert gaps == [(288.0, 306, 288.0 - 56, 539 - 306)]  # word spaces (3 pt) are not gaps


def test_a_gutter_is_found_on_justified_and_ragged_columns():
    justified = [mr.row_gaps(two_column_line(288.0, 700 - 12 * i), SIZE) for i in range(12)]
    assert mr.shared_strips(justified, SIZE) == [(288.0, 306)]
    ragged_ends = [288, 270, 281, 240, 286, 275, 263, 288, 279, 284, 251, 287]
    ragged = [mr.row_gaps(two_column_line(e, 700 - 12 * i), SIZE) for i, e in enumerate(ragged_ends)]
    assert mr.shared_strips(ragged, SIZE) == [(288, 306)]  # where most lines' gaps overlap


def test_no_gutter_in_prose_whose_wide_word_spaces_do_not_line_up():
    lines = []
    for i in range(12):
        x = 100 + 31 * i  # one wide space per line, at a different place each time
        lines.append(mr.row_gaps(row((56, x), (x + 9, 539), bottom=700 - 12 * i), SIZE))
    assert mr.shared_strips(lines, SIZE) == []


def test_table_cells_are_not_columns():
    # label | number | number: the gaps line up, but the cells are narrower than a column of text
    lines = [mr.row_gaps(row((56, 150), (330, 360), (420, 450), bottom=700 - 12 * i), SIZE) for i in range(12)]
    assert mr.shared_strips(lines, SIZE) == []


def test_too_few_lines_with_the_gap_make_no_gutter():
    lines = [mr.row_gaps(two_column_line(288.0, 700 - 12 * i), SIZE) for i in range(4)]
    lines += [mr.row_gaps(row((56, 539), bottom=600 - 12 * i), SIZE) for i in range(8)]
    assert mr.lines_needed(12) == 8
    assert mr.shared_strips(lines, SIZE) == []


def test_cuts_at_the_gutter_and_where_a_line_moves_to_the_next_row():
    # pdfium joined 'chan-' (end of the right column's row) to 'livery…' (start of the left column's next row)
    rects = two_column_line(285.0) + two_column_line(288.0, bottom=88.0)
    assert mr.cuts(rects, [(288.0, 306.0)]) == [3, 5, 8]
