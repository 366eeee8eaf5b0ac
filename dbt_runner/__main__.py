import sys

from dbt_runner.entrypoint import main

sys.exit(main())
