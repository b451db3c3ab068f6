"""Orchestration of Terraform over clients x layers: graph scheduling, approvals, run reports, resume."""

from clientctl.orchestrator.engine import ApprovalRequest, Approver, RunControl, RunOptions, input_hash, run_graph
from clientctl.orchestrator.graph import Node, build_graph
from clientctl.orchestrator.report import NodeResult, RunReport, load_report

__all__ = [
    "ApprovalRequest",
    "Approver",
    "Node",
    "NodeResult",
    "RunControl",
    "RunOptions",
    "RunReport",
    "build_graph",
    "input_hash",
    "load_report",
    "run_graph",
]
