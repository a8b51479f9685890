"""A helper of the SQLite dialect only: its imports follow the dialect's."""
import difflib


def describe(conn):
    version = conn.execute("select sqlite_version()").fetchone()[0]
    return f"sqlite {version.split('.')[0]} {difflib.get_close_matches('sqlit', ['sqlite', 'mysql'])[0]}"
