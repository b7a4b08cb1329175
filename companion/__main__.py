"""Lets `python -m companion …` run the same command line as `netral-companion …`."""

from companion.cli import main

if __name__ == "__main__":
    main()
