"""The one input-cleaning layer: every request's query string, form fields and JSON body meet the
same rule (cleaning.py) before a view sees them (middleware.py); streamed data-in bodies meet it
row by row (experiments.live.ingestion)."""
