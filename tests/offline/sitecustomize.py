"""Started with this folder on PYTHONPATH, Python blocks the network in bundled mode (see netguard.py)."""

import netguard

if netguard.wanted():
    netguard.install()
