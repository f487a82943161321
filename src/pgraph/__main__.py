"""`python -m pgraph` runs the command line."""
from .cli import run

run()
