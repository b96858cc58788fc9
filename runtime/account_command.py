"""``hulian user password``, ``hulian token list|revoke`` and reading a new password.

A password is read from standard input (``--password-stdin``: the first line, without
its line ending, LF or CRLF) or asked for twice without echo (getpass); it is never printed, logged
or taken from the command line, where other users of the machine could see it.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import Any

from hulian.engine import Engine, HulianError
from hulian.engine.system.tokens import PREFIX
from hulian.metadata.jsontext import dumps

__all__ = ["add_token_commands", "add_user_password_command", "read_new_password"]


def read_new_password(args: argparse.Namespace) -> str:
    """The new password: stdin's first line with ``--password-stdin``, else typed twice."""
    if args.password_stdin:
        line = sys.stdin.readline()
        line = line[:-1] if line.endswith("\n") else line
        return line[:-1] if line.endswith("\r") else line
    who = f"{args.username}@{args.tenant}"
    first = getpass.getpass(f"new password for {who}: ")
    if getpass.getpass("the same again: ") != first:
        raise HulianError("the two passwords differ", code="password_mismatch",
                          hint="type the same password twice")
    return first


def cmd_user_password(args: argparse.Namespace) -> int:
    password = read_new_password(args)
    with Engine(args.db) as engine:
        engine.people(args.tenant).set_password(args.username, password)
    print(f"password set for {args.username}@{args.tenant}; their login sessions were ended")
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    with Engine(args.db) as engine:
        found = engine.accounts.list_tokens(args.tenant, args.user)
    if args.format == "json":
        print(dumps({"tokens": [t.to_dict() for t in found]}, indent=2))
        return 0
    for token in found:
        state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else \
            f"expires {token.expires_at:%Y-%m-%d %H:%M}" if token.expires_at else "no expiry"
        print(f"{token.id}  created {token.created_at:%Y-%m-%d %H:%M}  {state}"
              + (f"  {token.label}" if token.label else ""))
    if not found:
        print(f"{args.user}@{args.tenant} has no tokens")
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    with Engine(args.db) as engine:
        if args.token.startswith(PREFIX):
            live = engine.accounts.revoke_token(args.token)
            if not live:
                raise HulianError("there is no live token like that", code="token_not_found",
                                  hint="list the tokens: hulian token list --tenant T --user U")
        elif args.tenant is None:
            raise HulianError("revoking a token by id needs --tenant", code="invalid_parameter",
                              hint="hulian token revoke ID --tenant T")
        else:
            live = engine.accounts.revoke_token_id(args.tenant, args.token)
    print("token revoked" if live else "the token was already revoked")
    return 0


def add_user_password_command(user: Any, db_option: Callable[[argparse.ArgumentParser],
                                                             None]) -> None:
    p = user.add_parser("password", help="set a user's password (typed twice, or from stdin)")
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("username", metavar="USER")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input")
    p.set_defaults(handler=cmd_user_password)


def add_token_commands(token: Any, db_option: Callable[[argparse.ArgumentParser],
                                                       None]) -> None:
    p = token.add_parser("list", help="a user's tokens: id, label, dates (never the secret)")
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_token_list)

    p = token.add_parser("revoke", help="revoke a token, by id (with --tenant) or the token")
    db_option(p)
    p.add_argument("token", metavar="ID_OR_TOKEN",
                   help="a token id (hulian token list) or the token itself (hl_...)")
    p.add_argument("--tenant", help="the tenant (needed with an id)")
    p.set_defaults(handler=cmd_token_revoke)
