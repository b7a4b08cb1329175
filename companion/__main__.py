"""Lets `python -m companion …` run the same command line as `netral-companion …`."""

if __name__ == "__main__":
    # Imported here, not at the top: a spawned compile helper re-imports this module as
    # `__mp_main__`, and needs none of the command line's imports (click, uvicorn, sqlite-utils).
    from companion.launch import main

    main()
