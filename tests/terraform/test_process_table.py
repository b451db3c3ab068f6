"""terraform.runner.ProcessTable: an interrupt reaches every Terraform process, also one starting meanwhile.

Before, a process was registered only after Popen returned, so a Ctrl-C in between (seen under -n auto:
test_ctrl_c_escalates_stop_then_sigint_then_kill found no SIGINT in its fake) was sent to nobody.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time

from clientctl.terraform.runner import ProcessTable


def sleeper() -> subprocess.Popen[str]:
    return subprocess.Popen(["sleep", "30"], text=True, start_new_session=True)


def test_an_interrupt_sent_while_a_process_starts_waits_for_it_and_reaches_it() -> None:
    table = ProcessTable()
    sent: list[int] = []
    sender_waiting = threading.Event()

    def sender() -> None:
        sender_waiting.set()
        sent.append(table.send(signal.SIGINT))

    thread = threading.Thread(target=sender)

    def popen() -> subprocess.Popen[str]:
        thread.start()  # the interrupt comes while the process is being started ...
        assert sender_waiting.wait(10)
        time.sleep(0.2)  # let the sender reach send(): without the table held it would find no process
        return sleeper()  # ... and the table is held until the process is registered

    proc = table.start(popen)
    thread.join(10)
    assert sent == [1]
    assert proc.wait(timeout=10) == -signal.SIGINT
    table.discard(proc)


def test_a_process_started_after_an_interrupt_gets_it_at_once() -> None:
    table = ProcessTable()
    assert table.send(signal.SIGINT) == 0  # nothing running yet
    proc = table.start(sleeper)
    assert proc.wait(timeout=10) == -signal.SIGINT
    table.discard(proc)
    assert table.send(signal.SIGKILL) == 0
    proc = table.start(sleeper)
    assert proc.wait(timeout=10) == -signal.SIGKILL
    table.discard(proc)
