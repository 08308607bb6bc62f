"""Analysis over the store: concepts, kwic, trends, collocates/keyness and topics. Streams; never loads the corpus."""
