"""``python -m rewardengine.cli.run``: the command line, as the installed script runs it."""

from . import main

if __name__ == "__main__":
    main()
