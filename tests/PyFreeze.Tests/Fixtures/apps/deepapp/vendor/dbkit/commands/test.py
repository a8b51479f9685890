"""The `test` management command: a module named test that the app runs by name."""


class Command:
    def handle(self):
        import statistics
        return f"test command {statistics.mean([1, 2, 3])}"
