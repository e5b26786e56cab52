"""Sphinx configuration of the course website. Build it with `make site` (scripts/build_site.py), not by hand:
the build assembles the source folder (these pages, the notebooks, the README, the data card) under build/."""

from __future__ import annotations

import sys
from pathlib import Path

# autodoc documents the helpers of this checkout, whichever hfnotes is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

project = "hfnotes"
author = "hfnotes contributors"
copyright = "hfnotes contributors, MIT licence"
html_title = "hfnotes"

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]

# Pages starting with "_" (the README copy, the generated course map) are only included by other pages.
exclude_patterns = ["_*.md", "**/.ipynb_checkpoints"]

# --- notebooks: render the committed outputs, never execute (nbval re-runs them in `make test`) ---
nb_execution_mode = "off"
nb_merge_streams = True
myst_heading_anchors = 3  # "#challenge-split"-style links in the data card and README

# --- API reference from the docstrings (Google style, "Example:" blocks) ---
autodoc_default_options = {"show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# --- HTML: everything the pages need ships in build/site; no font, script or stylesheet is fetched ---
html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    # The book theme keeps search in the sidebar; without this the base theme adds a second search
    # field in a header bar of its own above every page.
    "navbar_persistent": [],
}
# Without a default colour mode the base theme's script logs "Got invalid theme mode" as a console error.
html_context = {"default_mode": "auto"}
# The download button links to _sources/<page>.ipynb, the notebook itself (not "<page>.ipynb.txt").
html_sourcelink_suffix = ""
html_show_sphinx = False
