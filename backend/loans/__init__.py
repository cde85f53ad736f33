"""Loans: money in minor units and repayment schedules. Pure code: no database, no clock."""
