"""The SQLite dialect: nothing imports it statically; its driver is imported when the dialect first connects."""


class Dialect:
    def __init__(self, conn):
        self.conn = conn

    @classmethod
    def dbapi(cls):
        import sqlite3
        return sqlite3

    @classmethod
    def connect(cls):
        return cls(cls.dbapi().connect(":memory:"))

    def scalar(self, sql):
        return self.conn.execute(sql).fetchone()[0]

    def describe(self):
        try:
            from ._sqlite_names import describe
        except ImportError:  # a feature quietly off when the helper is missing
            return "no helper"
        return describe(self.conn)
