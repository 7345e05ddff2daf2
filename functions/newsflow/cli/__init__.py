"""`newsflow`: the operator and developer command line (not part of the Lambda asset).

Each module in this package registers its own sub-commands through `register(commands)`; modules are
discovered, so adding a command never means editing this file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

DEFAULT_DATA_DIR = ".newsflow"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description="newsflow: serverless news ingestion")
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR, help="local stack state (default .newsflow)")
    parser.add_argument(
        "--stage", default=None, help="act on the deployed stack NewsflowStack-<stage> (ops commands; default: local)"
    )
    parser.add_argument("--region", default=None, help="AWS region of the deployed stack (default: AWS_REGION)")
    commands = parser.add_subparsers(dest="command", required=True)
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    from newsflow.cli.target import OperatorError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except OperatorError as error:
        print(f"newsflow: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(error, ClientError):  # AccessDenied, a queue that is gone...: say which call, no traceback
            operation = getattr(error, "operation_name", "?")
            print(f"newsflow: AWS refused {operation}: {error.response.get('Error', {})}", file=sys.stderr)
            return 2
        if isinstance(error, BotoCoreError):
            print(f"newsflow: AWS call failed: {error}", file=sys.stderr)
            return 2
        raise
