"""The sharing services read the exports' round with sex and age figures."""

from tests.publishing.exports.conftest import _own_data_folder, aged, aged_form, sites

__all__ = ["_own_data_folder", "aged", "aged_form", "sites"]  # shared with the exports tests
