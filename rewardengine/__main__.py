"""``python3 -m rewardengine``: the same command line as ``rewardengine``."""

from rewardengine.launch import main

main()
