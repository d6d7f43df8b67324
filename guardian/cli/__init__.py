"""The `guardian` command. Builds core objects and calls them; no logic of its own.

Each command group lives in its own module and is registered here by name; the
modules never import this group (their shared option and loader are in common.py).
"""

from __future__ import annotations

import logging

import click

from guardian.cli import agent, approvals, dashboard, detect, evidence, rules, run, service, setup


@click.group()
def main() -> None:
    """Guardian: spending caps and time windows for children's streaming-app payments."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")


main.add_command(run.run)
main.add_command(run.check)
main.add_command(run.mitmdump)
main.add_command(setup.setup)
main.add_command(service.install_command)
main.add_command(service.stopped)
main.add_command(agent.agent_command)
main.add_command(setup.phone)
main.add_command(dashboard.set_password)
main.add_command(evidence.verify_record)
main.add_command(evidence.export_command)
main.add_command(approvals.approvals_group)
main.add_command(detect.detect_command)
main.add_command(rules.rules_group)
