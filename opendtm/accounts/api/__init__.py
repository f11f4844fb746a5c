"""The REST API of the accounts app: operations, members, the audit log, tokens and "me".

`base` holds what every API module of every app shares: the base view, input parsing into
the one error vocabulary, pagination and the documented refusals.
"""
