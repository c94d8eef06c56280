from k9py.cli import entry

raise SystemExit(entry())
