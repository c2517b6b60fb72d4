from torchdojo.cli.main import main

raise SystemExit(main())
