"""Files of published figures: CSV and XLSX with an HXL tag row, one round or every round.

`hxl` names the columns' hashtags, `columns` decides a file's columns and turns a public
table into rows, `files` writes them, `microdata` decides whether a site-level file may leave
at all, and `hdx` describes a round as an HDX dataset. Every figure comes from
`selectors.tables.table`, so suppression and the no-protection rule hold in every file.
"""
