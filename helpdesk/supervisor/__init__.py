"""One supervising process for ``helpdesk run``: starts every child, restarts the ones that die.

Hand-written on asyncio and subprocess (about 450 lines) rather than a process manager
package: honcho (what ``make run`` used before) ends everything when one child exits;
supervisord and circus are daemons with their own configuration files, control sockets and
log rotation, and neither splits a child's output into a filtered terminal view and a
complete log file. What is needed here is small:

- each child runs in its own process group, so a stop reaches its own children too and a
  Ctrl-C in the terminal reaches only this process, which then stops them in order;
- a program with ``niceness`` drops to that CPU priority once it accepts connections (its
  start-up keeps full priority; ``helpdesk.priority`` says why and how);
- a child that exits while nobody asked for it is restarted, at once if it had been up a
  minute, else after a back-off (1 s, 2 s, 4 s … at most 30 s), with a line saying so, while
  the others keep serving;
- a program with ``standby=True`` also gets a warm spare once it is ready: a second copy
  started with ``HELPDESK_STANDBY=1`` that does its whole start-up and then waits for the
  line ``serve`` on its standard input before it accepts connections (``rasa_addons.serve``
  implements that for Rasa). When the running copy exits, the spare gets that line and
  takes over at once (a Rasa start is 20–60 s of imports and model loading), and a new
  spare warms up behind it (``spare_after`` seconds later). The spare's lines are named
  ``NAME-standby`` until it takes over; it exits when its standard input ends (this
  process is gone);
- every line of every child goes to the log file; the terminal shows the lines that
  ``visible(name, line)`` keeps (``helpdesk.logview`` hides third-party warnings);
- SIGINT, SIGTERM or SIGHUP stops every child (SIGTERM, then SIGKILL of the group after a grace
  period) and returns once none is left.

Production runs the same children under its own process manager (systemd, a container
restart policy); this package is for one machine.

The parts, by feature: ``policy`` (when a dead child starts again), ``children`` (what a
program is, how it is spawned, when it is ready), ``standby`` (warm spares), ``running``
(the loop that keeps them all up and stops them).
"""

from __future__ import annotations

from helpdesk.supervisor.children import STANDBY_ENV, TAKE_OVER, Program
from helpdesk.supervisor.policy import Backoff
from helpdesk.supervisor.running import Supervisor

__all__ = ["STANDBY_ENV", "TAKE_OVER", "Backoff", "Program", "Supervisor"]
