"""Judging a scan: `judge(scan, declared, site) -> Judgement`, the one decision every output reads."""
from scanner.judge.judgement import ClassifiedObservation, Judgement, VendorGroup, judge

__all__ = ["ClassifiedObservation", "Judgement", "VendorGroup", "judge"]
