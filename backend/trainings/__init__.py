"""Trainings: sessions, enrolment, and the reminders they plan."""
