"""``python -m runform`` runs the command line."""

from runform.cli import main

main()
