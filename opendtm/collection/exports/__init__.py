"""Exports of a form's submissions to CSV (a ZIP of one file per table) and XLSX.

`layout` decides the tables and columns from every version of the form, `rows` turns one
submission into rows of those tables, `writers` streams rows to files, and `services`
runs an export as a background job with its progress recorded. Memory stays flat whatever
the number of submissions: rows are read in chunks and written as they come.
"""
