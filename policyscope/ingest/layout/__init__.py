"""Layout clean-up for text extracted from PDF pages, independent of the extraction backend.

Each module does one job on plain data (strings, and `Line`/`Block` records with positions):
  lines       the Line and Block records (PDF points, y up)
  columns     reading order of multi-column pages (gutters found from line boxes), margin bands
  paragraphs  lines → paragraphs (vertical steps, indents, font size, bullets) and line joining
  hyphenation line-end hyphens: join split words, keep real compounds
  spacing     ligatures, odd spaces, letter-spaced headings, words run together
  vocabulary  the words of one document, for decisions a page cannot take alone
  running     running headers/footers, page numbers, DOI / download stamps, margin line numbers
  sections    front matter and reference-list flags
  page        one page: lines → PageDraft (per-page clean-up, runs in worker processes)
  document    all PageDrafts of a document → Page records (cross-page clean-up, string work only)
"""
