"""The ``kg`` program: the CLI, with a Ctrl-C or a closed pipe ending it in one line.

The console script points here rather than at ``kg.cli`` so that an interrupt while the
CLI is still being imported (click, the commands) ends the same way as one later on:
one sentence, exit 130, no traceback. Once the command has ended, a late Ctrl-C is ignored.
"""

import signal
import sys

INTERRUPTED = "Error: interrupted; nothing was changed."


def main() -> None:
    try:
        if sys.argv[1:2] == ["query"]:
            from kg.cli.fast import run

            if run(sys.argv[2:]):
                return
        from kg.cli import main as cli_main

        cli_main()
    except BrokenPipeError:  # `kg query … | head -1`: the reader has all it wanted
        from kg.cli.asking import quiet_stdout

        quiet_stdout()
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        sys.exit(130)
    finally:
        # The command has ended (its outcome printed): a Ctrl-C now, while the interpreter
        # shuts down, would only turn a finished command into a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":
    main()
