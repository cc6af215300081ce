"""`python -m glutewake` and the `glutewake` command's entry point."""

from __future__ import annotations


def main() -> None:
    try:
        from glutewake.cli import main as cli
    except KeyboardInterrupt:
        # Ctrl-C while Python loads the command: as quiet as it is later (the cli's own
        # handling), rather than a traceback through the imports. 130: ended by SIGINT.
        raise SystemExit(130) from None
    cli(prog_name="glutewake")


if __name__ == "__main__":
    main()
