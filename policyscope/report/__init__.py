"""What users see: figures (tidy DataFrame -> go.Figure), citations, the offline dashboard,
the publication bundle and the local Dash app.

    figure_data    tidy frames from track outputs: periods, concept-share points + their evidence rows
    document_data  dispersion (where in each document), KWIC lines, the corpus table
    topic_data     topic timeline frames (topic_share.csv + topics.json)
    words          collocates / keyness frames from policyscope.analyse
    figures        one function per figure (Okabe-Ito palette, thin periods, milestones)
    milestones     policy milestone annotations (models/milestones/*.yaml)
    cite           sentence -> citation (owned by the tracking layer; reused here)
    context        store + track folder (+ topics) -> everything a dashboard/export shows
    dashboard      ONE self-contained offline HTML file (templates/)
    export         the publication bundle (PNG/SVG via kaleido + local Chromium, HTML, CSVs, run.json)
    browser        where the Chromium binary is (never downloaded)
    app            `policyscope serve` (Dash)
    pipeline       runs track when a report is asked for without a track folder
"""
