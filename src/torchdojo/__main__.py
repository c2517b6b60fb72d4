from torchdojo.cli import main

raise SystemExit(main())
