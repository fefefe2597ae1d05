"""``tutor logs purge`` and ``tutor learners add | import | list | remove``: what the app stores about learners."""

from __future__ import annotations

import datetime
import getpass
import json
import sys

from ..errors import TutorError
from ..storage import database_of
from ..storage.engine import shown, url_of


def cmd_logs_purge(args, settings) -> int:
    """Delete logged answers (and their reviews) and learners' cards and card reviews: by date, session and/or
    learner, or else those past TUTOR_LOG_DAYS; safeguarding alerts by age only (TUTOR_ALERT_DAYS)."""
    from ..alerts import AlertQueue
    from ..alerts.queue import unwritten_path
    from ..app.export import export_path
    from ..app.store import Store, utc_now

    before = args.before
    if before:
        try:
            before = datetime.date.fromisoformat(before).isoformat()
        except ValueError:
            raise TutorError(f"--before must be a date like 2026-01-31; got {args.before!r}.") from None
    chosen = before or args.session or args.learner
    what = "" if chosen else f" older than {settings.log_days} days (TUTOR_LOG_DAYS)"
    if not chosen:
        before = utc_now(days_ago=settings.log_days)
    where = database_of(settings)
    store = Store(where) if settings.database_url or settings.db.exists() else None
    deleted = store.purge(before=before, session=args.session, learner=args.learner) if store else 0
    alerts = AlertQueue(where, unwritten=unwritten_path(settings.db)).purge(settings.alert_days) if store else 0
    stale = export_path(settings.db)
    removed = bool(deleted) and stale.exists()
    if removed:
        stale.unlink()  # it may hold the deleted answers
    if args.json:
        print(json.dumps({"status": "ok", "deleted": deleted, "alerts_deleted": alerts, "db": shown(url_of(where))}))
    else:
        print(f"Deleted {deleted} logged answer{'s' * (deleted != 1)} (and their reviews){what} from {shown(url_of(where))}, "
              "with the practice cards and card reviews of the same period, session or learner"
              + (f"; removed the old export {stale}." if removed else ".")
              + f" Deleted {alerts} safeguarding alert(s) older than {settings.alert_days} days (TUTOR_ALERT_DAYS).")
    return 0


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"Password for {args.name}: ")
    if first != getpass.getpass("Again: "):
        raise TutorError("The two passwords differ; nothing was added. Run the command again.")
    return first


def cmd_learners(args, settings) -> int:
    from .accounts import Accounts

    accounts = Accounts(database_of(settings))
    if args.action == "add":
        accounts.add(args.name, _password(args))
        print(f"Added {args.name}. They sign in when TUTOR_SIGN_IN=1.")
    elif args.action == "import":
        print(f"Added or updated {accounts.import_csv(args.file)} learners from {args.file}.")
    elif args.action == "list":
        names = accounts.names()
        print("\n".join(names) if names else "No learners yet. Add one: tutor learners add NAME")
    elif args.action == "remove":
        gone = accounts.remove(args.name)
        print(f"Removed {args.name} and what was stored about them: {gone['chats']} questions, {gone['cards']} "
              f"cards, {gone['card_reviews']} card reviews.")
    return 0


def add_parsers(sub, settings_of) -> None:
    logs = sub.add_parser("logs", help="the chat log (TUTOR_DB)").add_subparsers(dest="action", required=True)
    p = logs.add_parser("purge", help="delete logged answers and their reviews, and say how many",
                        description="Delete logged answers (and their reviews), and learners' practice cards and "
                                    "card reviews. With no option: those older than TUTOR_LOG_DAYS (the app also "
                                    "does this at start and once a day).")
    p.add_argument("--before", metavar="YYYY-MM-DD", help="those logged before this date (UTC)")
    p.add_argument("--session", metavar="ID", help="those of one browser session")
    p.add_argument("--learner", metavar="NAME", help="those of one learner")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=lambda args: cmd_logs_purge(args, settings_of(args)))

    learners = sub.add_parser("learners", help="learner accounts (for TUTOR_SIGN_IN=1)")
    actions = learners.add_subparsers(dest="action", required=True)
    p = actions.add_parser("add", help="add a learner; the password is prompted (or read from stdin)")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p = actions.add_parser("import", help="add learners from a CSV file of name,password lines")
    p.add_argument("file")
    actions.add_parser("list", help="the learners' names")
    p = actions.add_parser("remove", help="remove a learner and everything stored about them")
    p.add_argument("name")
    learners.set_defaults(func=lambda args: cmd_learners(args, settings_of(args)))
