"""The AWS CLI of Debian's `awscli` package, for many commands in one Python process.

/usr/bin/aws is `sys.exit(awscli.clidriver.main())`; starting Python and importing awscli
costs about a second of CPU, which dominated the compatibility suite. This runs the same
`awscli.clidriver` code for each command, with a new driver (and so a new botocore session)
each time, the command's own environment, and its own stdout and stderr.

Protocol: one JSON object per line on stdin, {"args": [...], "env": {...}}; one JSON object
per line on stdout, {"code": int, "stdout": str, "stderr": str}, in the same order.
"""

import io
import json
import os
import sys

import awscli.clidriver

# Importing awscli sets AWS_DATA_PATH (where its own data lives) in the environment, as it
# does in every /usr/bin/aws process: each command's environment keeps it.
DATA_PATH = os.environ["AWS_DATA_PATH"]


def run(args, env):
    saved_env = dict(os.environ)
    saved_out, saved_err = sys.stdout, sys.stderr
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace")
    os.environ.clear()
    os.environ.update(env)
    os.environ["AWS_DATA_PATH"] = DATA_PATH
    sys.stdout, sys.stderr = out, err
    try:
        code = awscli.clidriver.AWSCLIEntryPoint().main(args)
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 1
    except BaseException as error:  # what /usr/bin/aws would die of
        print(f"{type(error).__name__}: {error}", file=err)
        code = 255
    finally:
        sys.stdout, sys.stderr = saved_out, saved_err
        os.environ.clear()
        os.environ.update(saved_env)
    out.flush()
    err.flush()
    return {
        "code": code if code is not None else 0,
        "stdout": out.buffer.getvalue().decode("utf-8", "replace"),
        "stderr": err.buffer.getvalue().decode("utf-8", "replace"),
    }


def main():
    answers = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        answers.write(json.dumps(run(request["args"], request["env"])) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
