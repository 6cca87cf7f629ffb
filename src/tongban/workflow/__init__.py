"""Workflow (办件流程): for now the legal clock (法定时限) and its holiday calendar."""
