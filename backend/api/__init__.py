"""The admin API for staff, under ``/api/v1``: accounts, cases, applications, beneficiaries,
audit and statistics. Every route needs a bearer token and checks role and program scope."""
