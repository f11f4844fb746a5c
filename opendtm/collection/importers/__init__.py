"""Imports of forms and submissions from ODK Central (pyodk) and KoboToolbox (REST v2).

Nothing is written here directly: each form version is published through the forms service
(an XForm upload), and each submission's raw XML, with its files, is re-fed through
`submission_receive`, the path every device submission takes. So duplicates and edits are
decided exactly as for devices, and running an import again adds nothing.
"""
