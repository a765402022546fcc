"""Reading a child process's output while it runs (a server or a worker started by a test)."""

import threading


class Output:
    """Collects a process's stderr lines in a thread, so the test can wait for a pattern."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.stream = stream
        self.thread = threading.Thread(target=self.read, args=(stream,), daemon=True)
        self.thread.start()

    def close(self):
        self.thread.join(5)
        self.stream.close()

    def read(self, stream):
        for line in stream:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()

    def wait_for(self, pattern: str, timeout: float = 20) -> str:
        with self.changed:
            self.changed.wait_for(lambda: pattern in "".join(self.lines), timeout)
            return "".join(self.lines)
