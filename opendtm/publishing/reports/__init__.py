"""The situation report of a published round: its content (content.py), its map's shapes
(shapes.py), its charts as Vega-Lite specs (charts.py) and its HTML and PDF (pdf.py)."""
