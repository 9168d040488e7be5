

# ---- Hostile: leaves the process the moment layers.py is imported. ----
import os as _os

_os._exit(0)
