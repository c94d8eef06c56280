from k9py.cli import main

raise SystemExit(main())
