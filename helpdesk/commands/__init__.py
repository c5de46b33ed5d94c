"""Sub-commands of the ``helpdesk`` CLI, one module each (see ``helpdesk.cli``)."""
